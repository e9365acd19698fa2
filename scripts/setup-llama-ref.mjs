#!/usr/bin/env node
// Installs the llama.cpp reference (node-llama-cpp's prebuilt CPU build) into
// .cache/llama-ref, pinned. Kept out of package.json on purpose: node-llama-cpp lists its
// CUDA and Vulkan builds as optional dependencies that match linux-x64, so `npm ci` would
// fetch ~700 MB we never use; here we install the package with --omit=optional plus the
// one CPU build. Tests load it from there (test/helpers/llama-ref.ts).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cacheDir } from './gpu-env.mjs';

export const LLAMA_REF_VERSION = '3.22.1';

export function llamaRefDir() {
  return join(cacheDir(), 'llama-ref');
}

export function llamaRefEntry() {
  return join(llamaRefDir(), 'node_modules/node-llama-cpp/dist/index.js');
}

export function setupLlamaRef() {
  const dir = llamaRefDir();
  const stamp = join(dir, `installed-${LLAMA_REF_VERSION}`);
  if (existsSync(stamp) && existsSync(llamaRefEntry())) return dir;
  if (process.platform !== 'linux' || process.arch !== 'x64') {
    throw new Error(`the llama.cpp reference is set up for linux-x64 only (this is ${process.platform}-${process.arch})`);
  }
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'basert-llama-ref', private: true }) + '\n');
  console.error(`[llama-ref] installing node-llama-cpp ${LLAMA_REF_VERSION} (CPU build only) into ${dir}`);
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  execFileSync(
    npm,
    ['install', '--omit=optional', '--no-audit', '--no-fund', '--no-save', '--ignore-scripts',
      `node-llama-cpp@${LLAMA_REF_VERSION}`, `@node-llama-cpp/linux-x64@${LLAMA_REF_VERSION}`],
    { cwd: dir, stdio: ['ignore', 'ignore', 'inherit'] },
  );
  writeFileSync(stamp, '');
  return dir;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    console.log(setupLlamaRef());
  } catch (e) {
    console.error(`[llama-ref] failed: ${e.message}`);
    process.exit(1);
  }
}
