#!/usr/bin/env node
// Bundles basert for the browser into dist/web/: the service worker (sw.js: engine + Hono
// app), the relay's holder worker (holder.js), and the demo pages (index.html + chat.js,
// api.html + api.js, with the openai SDK bundled in). platform 'browser': a node:* import
// anywhere in the graph fails the build. `npm run build:web`; `npm run demo` serves it.
import { build } from 'esbuild';
import { copyFile, mkdir, readdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WEB_OUT = join(ROOT, 'dist/web');

const ENTRIES = {
  sw: 'runtimes/browser/sw.ts',
  holder: 'runtimes/browser/holder.ts',
  chat: 'web-demo/chat.ts',
  api: 'web-demo/api.ts',
};

/** Builds everything into `outdir`; returns the file names written. */
export async function buildWeb({ outdir = WEB_OUT, minify = false } = {}) {
  await mkdir(outdir, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(Object.entries(ENTRIES).map(([k, v]) => [k, join(ROOT, v)])),
    outdir,
    bundle: true,
    // Classic scripts: module service workers are not supported everywhere yet.
    format: 'iife',
    platform: 'browser',
    target: 'es2022',
    sourcemap: 'linked',
    minify,
    logLevel: 'warning',
  });
  const statics = (await readdir(join(ROOT, 'web-demo'))).filter((f) => /\.(html|css|svg)$/.test(f));
  for (const f of statics) await copyFile(join(ROOT, 'web-demo', f), join(outdir, f));
  return [...Object.keys(ENTRIES).map((k) => `${k}.js`), ...statics];
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const files = await buildWeb({ minify: process.argv.includes('--minify') });
  console.log(`built ${files.join(', ')} in ${WEB_OUT}`);
}
