#!/usr/bin/env node
// Runs a command with the software-GPU environment of scripts/gpu-env.mjs (hardware
// drivers stay first). `node scripts/with-gpu.mjs deno run -A x.ts`
import { spawnSync } from 'node:child_process';
import { gpuEnv } from './gpu-env.mjs';

const [cmd, ...args] = process.argv.slice(2);
if (!cmd) {
  console.error('usage: node scripts/with-gpu.mjs <command> [args...]');
  process.exit(2);
}
const r = spawnSync(cmd, args, { stdio: 'inherit', env: gpuEnv().env });
if (r.error) {
  console.error(`with-gpu: ${r.error.message}`);
  process.exit(127);
}
process.exit(r.status ?? 1);
