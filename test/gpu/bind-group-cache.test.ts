// BindGroupCache: a repeated (pipeline, buffers) gets the same group without a new
// createBindGroup; any change of buffer, offset or size gets its own; the LRU bound holds;
// and steps that reuse groups across submissions compute what fresh groups would.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { BindGroupCache } from '../../src/gpu/bind-group-cache.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { BufferUsage } from '../../src/gpu/flags.ts';
import { add } from '../../src/gpu/kernels/add.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import { createTensor } from '../../src/gpu/tensor.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu.destroy());

test('same key, same group; a different buffer, offset or size, a new group; LRU bound', () => {
  const cache = new BindGroupCache(gpu.device, 3);
  const pipeline = gpu.pipelines.get({ shader: 'add', defines: { INPLACE: true } });
  const usage = BufferUsage.STORAGE;
  const [a, b, c] = [0, 1, 2].map(() => gpu.device.createBuffer({ size: 512, usage }));
  const u = { buffer: gpu.device.createBuffer({ size: 256, usage: BufferUsage.UNIFORM }), offset: 0, size: 16 };
  const real = gpu.device.createBindGroup.bind(gpu.device);
  let created = 0;
  gpu.device.createBindGroup = (d: GPUBindGroupDescriptor) => {
    created++;
    return real(d);
  };
  try {
    const g1 = cache.get(pipeline, [{ buffer: a, offset: 0, size: 256 }, { buffer: b, offset: 0, size: 256 }, u]);
    const g2 = cache.get(pipeline, [{ buffer: a, offset: 0, size: 256 }, { buffer: b, offset: 0, size: 256 }, u]);
    assert.equal(g1, g2);
    assert.equal(created, 1);
    const g3 = cache.get(pipeline, [{ buffer: a, offset: 256, size: 256 }, { buffer: b, offset: 0, size: 256 }, u]);
    const g4 = cache.get(pipeline, [{ buffer: a, offset: 0, size: 128 }, { buffer: b, offset: 0, size: 256 }, u]);
    const g5 = cache.get(pipeline, [{ buffer: a, offset: 0, size: 256 }, { buffer: c, offset: 0, size: 256 }, u]);
    assert.equal(new Set([g1, g3, g4, g5]).size, 4);
    assert.equal(created, 4);
    assert.equal(cache.size, 3, 'capacity 3: the least recently used (g1) is gone');
    cache.get(pipeline, [{ buffer: a, offset: 0, size: 256 }, { buffer: b, offset: 0, size: 256 }, u]);
    assert.equal(created, 5);
    assert.deepEqual([cache.hits, cache.misses], [1, 5]);
  } finally {
    gpu.device.createBindGroup = real;
    for (const x of [a, b, c, u.buffer]) x.destroy();
    gpu.assertNoErrors('bind groups');
  }
});

test('steps reusing cached groups across submissions compute the same as the first', async () => {
  const n = 300;
  const x = createTensor(gpu, [n], 'f32', new Float32Array(n).fill(1));
  const y = createTensor(gpu, [n], 'f32', new Float32Array(n).fill(0.25));
  const hits0 = gpu.bindGroups.hits;
  try {
    for (let s = 0; s < 3; s++) {
      const step = new GpuStep(gpu);
      add(step, x, y); // x += y
      add(step, x, y);
      const read = step.read(x.binding());
      await step.submit();
      assert.equal(new Float32Array(await read)[n - 1], 1 + 0.5 * (s + 1));
    }
    assert.ok(gpu.bindGroups.hits - hits0 >= 4, `later steps hit the cache (${gpu.bindGroups.hits - hits0} hits)`);
  } finally {
    x.destroy();
    y.destroy();
  }
});
