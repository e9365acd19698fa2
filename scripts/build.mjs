#!/usr/bin/env node
// Bundles the Node CLI into dist/node/cli.js (run by `npm install` via prepare, and by
// `npm run build`). The Dawn addon stays external: it is a native module.
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
await build({
  entryPoints: [join(ROOT, 'runtimes/node/cli.ts')],
  outfile: join(ROOT, 'dist/node/cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  external: ['webgpu'],
  sourcemap: true,
  logLevel: 'warning',
});
console.log('built dist/node/cli.js');
