// `basert doctor` through the real launcher (bin/basert.js → dist/node/cli.js), and its
// failure mode on a machine with no adapter at all.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

const run = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  spawnSync(process.execPath, ['bin/basert.js', ...args], { encoding: 'utf8', env, timeout: 120_000 });

test('basert doctor prints the adapter and three measured figures', () => {
  const r = run(['doctor', '--json']);
  assert.equal(r.status, 0, r.stderr);
  const report = JSON.parse(r.stdout);
  assert.ok(report.adapter.description || report.adapter.device, 'adapter named');
  assert.equal(typeof report.features.f16, 'boolean');
  assert.ok(report.limits.maxStorageBufferBindingSize >= 128 << 20);
  for (const k of ['matmulGflops', 'readGBps', 'dispatchUs'] as const) {
    assert.ok(Number.isFinite(report.figures[k]) && report.figures[k] > 0, `${k} = ${report.figures[k]}`);
  }
});

test('basert doctor text output names each figure', () => {
  const r = run(['doctor']);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /adapter\s+\S/);
  assert.match(r.stdout, /matmul f32\s+[\d.]+ GFLOP\/s/);
  assert.match(r.stdout, /read bandwidth [\d.]+ GB\/s/);
  assert.match(r.stdout, /dispatch\s+[\d.]+ µs per dispatch/);
});

test('basert doctor without any adapter exits 1 and says how to get one', () => {
  // No Vulkan driver at all, and an EGL platform that cannot open a display.
  const env = { ...process.env, BASERT_GPU_ENV: 'none', VK_ICD_FILENAMES: '/nonexistent.json', VK_ADD_DRIVER_FILES: '', EGL_PLATFORM: 'device' };
  const r = run(['doctor'], env);
  assert.equal(r.status, 1, r.stdout + r.stderr);
  assert.match(r.stderr, /No WebGPU adapter is available/);
  assert.match(r.stderr, /provision-lavapipe|setup-gpu/);
});

test('basert with an unknown command or flag exits 2 with usage', () => {
  assert.equal(run(['frobnicate']).status, 2);
  const r = run(['doctor', '--nope']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /unknown flag --nope/);
});
