#!/usr/bin/env node
// `npm test`: makes sure a WebGPU adapter exists (provisioning Mesa >= 25 lavapipe into
// .cache/ when there is no hardware adapter and no lavapipe yet) and that the llama.cpp
// reference is installed (scripts/setup-llama-ref.mjs), then runs every
// test/**/*.test.ts with Node's test runner in that environment. Extra arguments are
// passed to the runner (e.g. `npm test -- test/gpu/kernels.test.ts`).
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gpuEnv, lavapipeInfo, ROOT } from './gpu-env.mjs';
import { provisionLavapipe } from './provision-lavapipe.mjs';
import { setupLlamaRef } from './setup-llama-ref.mjs';

function probe(env) {
  const r = spawnSync(process.execPath, [join(ROOT, 'scripts/probe-adapter.mjs')], { env, encoding: 'utf8' });
  return r.status === 0 ? JSON.parse(r.stdout.trim().split('\n').pop()) : null;
}

let { env, software } = gpuEnv();
let adapter = probe(env);
if ((!adapter || adapter.isFallback) && !lavapipeInfo()) {
  console.log(`[test] ${adapter ? `only a software adapter (${adapter.description})` : 'no WebGPU adapter'}; provisioning lavapipe`);
  try {
    provisionLavapipe();
    ({ env, software } = gpuEnv());
    adapter = probe(env);
  } catch (e) {
    console.error(`[test] lavapipe provisioning failed: ${e.message}`);
  }
}
if (!adapter) {
  console.error('[test] no WebGPU adapter could be found or provisioned; see `basert doctor`');
  process.exit(1);
}
console.log(`[test] adapter: ${adapter.description} (${adapter.backend}; software driver: ${software}; features: ${adapter.features.filter((f) => /f16|subgroups|timestamp/.test(f)).join(', ')})`);

// The llama.cpp reference the loader and model tests compare with (installed once into
// .cache/; tests that need it fail loudly if this did not work).
try {
  setupLlamaRef();
} catch (e) {
  console.error(`[test] llama.cpp reference setup failed: ${e.message}`);
}

// Tests drive the real launcher, which runs the bundled CLI: keep the bundle current.
if (spawnSync(process.execPath, [join(ROOT, 'scripts/build.mjs')], { cwd: ROOT, stdio: 'inherit' }).status !== 0) process.exit(1);

function walk(dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? walk(join(dir, e.name)) : e.name.endsWith('.test.ts') ? [join(dir, e.name)] : [],
  );
}
const args = process.argv.slice(2);
const files = args.some((a) => !a.startsWith('-')) ? [] : walk(join(ROOT, 'test')).map((f) => relative(ROOT, f)).sort();
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...args, ...files], { cwd: ROOT, env, stdio: 'inherit' });
process.exit(r.status ?? 1);
