#!/usr/bin/env node
// Launcher: starts the CLI in a child process whose environment carries the software
// GPU drivers (scripts/gpu-env.mjs; they must be set before the process starts), and
// forwards signals to it. `basert setup-gpu` provisions lavapipe.
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { gpuEnv } from '../scripts/gpu-env.mjs';

const args = process.argv.slice(2);
const cli = fileURLToPath(new URL('../dist/node/cli.js', import.meta.url));

if (args[0] === 'setup-gpu') {
  const { provisionLavapipe } = await import('../scripts/provision-lavapipe.mjs');
  try {
    console.log(`lavapipe ready in ${provisionLavapipe({ force: args.includes('--force') })}`);
    process.exit(0);
  } catch (e) {
    console.error(`setup-gpu failed: ${e.message}`);
    process.exit(1);
  }
}
if (!existsSync(cli)) {
  console.error('basert: dist/ is missing; run `npm run build` (npm install does this).');
  process.exit(1);
}
const child = spawn(process.execPath, [cli, ...args], { stdio: 'inherit', env: gpuEnv().env });
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
