// GpuStep's promises: one queue submission per step whatever the number of dispatches,
// pipelines compiled once per key, pooled buffers reused so a steady state allocates
// nothing, and only what read() asks for comes back.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { sizeClass } from '../../src/gpu/buffer-pool.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { add } from '../../src/gpu/kernels/add.ts';
import { pipelineKey } from '../../src/gpu/pipeline-cache.ts';
import { grid, GpuStep, Params } from '../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../src/gpu/tensor.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu.destroy());

test('a step with many dispatches is one submit; pipelines compile once per key', async () => {
  const n = 1000;
  const a = createTensor(gpu, [n], 'f32', new Float32Array(n).fill(1));
  const b = createTensor(gpu, [n], 'f32', new Float32Array(n).fill(0.5));
  const queue = gpu.device.queue;
  const realSubmit = queue.submit.bind(queue);
  let submits = 0;
  queue.submit = (cmds: Iterable<GPUCommandBuffer>) => {
    submits++;
    return realSubmit(cmds);
  };
  try {
    const before = gpu.pipelines.size;
    const step = new GpuStep(gpu);
    for (let i = 0; i < 10; i++) add(step, a, b); // a += b, ten times, in order
    const read = step.read(a.binding());
    await step.submit();
    assert.equal(submits, 1);
    assert.equal(gpu.pipelines.size - before <= 1, true, 'one pipeline for ten dispatches');
    assert.deepEqual([...new Float32Array(await read).slice(0, 3)], [6, 6, 6]);
  } finally {
    queue.submit = realSubmit;
    a.destroy();
    b.destroy();
  }
});

test('pooled buffers are reused: repeated steps stop allocating', async () => {
  const n = 4096;
  const run = async () => {
    const a = createTensor(gpu, [n], 'f32', new Float32Array(n), { pooled: true });
    const b = createTensor(gpu, [n], 'f32', new Float32Array(n), { pooled: true });
    const step = new GpuStep(gpu);
    add(step, a, b);
    const read = step.read(a.binding(), 16);
    await step.submit();
    await read;
    a.destroy();
    b.destroy();
  };
  await run();
  const bytes = gpu.pool.allocatedBytes;
  for (let i = 0; i < 5; i++) await run();
  assert.equal(gpu.pool.allocatedBytes, bytes);
});

test('read() returns exactly the requested bytes, after the dispatches before it', async () => {
  const a = createTensor(gpu, [8], 'f32', Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8]));
  const b = createTensor(gpu, [8], 'f32', new Float32Array(8).fill(10));
  const step = new GpuStep(gpu);
  const early = step.read(a.binding(), 8);
  add(step, a, b);
  const late = step.read({ buffer: a.binding().buffer, offset: 16 }, 8);
  await step.submit();
  assert.deepEqual([...new Float32Array(await early)], [1, 2]);
  assert.deepEqual([...new Float32Array(await late)], [15, 16]);
  assert.deepEqual([...new Float32Array(await readTensor(gpu, a))], [11, 12, 13, 14, 15, 16, 17, 18]);
});

test('pipeline keys are flat strings independent of define order', () => {
  const k1 = pipelineKey({ shader: 's', defines: { A: true, B: 2, C: false }, constants: { WG: 64, T: 8 } });
  const k2 = pipelineKey({ shader: 's', defines: { B: 2, A: true }, constants: { T: 8, WG: 64 } });
  assert.equal(k1, k2);
  assert.equal(k1, 's:main|A,B=2|T=8,WG=64');
});

test('size classes, grids and params', () => {
  assert.equal(sizeClass(1), 256);
  assert.equal(sizeClass(1000), 1024);
  assert.equal(sizeClass((1 << 20) + 1), 2 << 20);
  assert.deepEqual(grid(10), [10, 1]);
  const [x, y] = grid(200_000);
  assert.ok(x <= 65535 && x * y >= 200_000);
  const p = new Params().u32(7).f32(0.5).i32(-1).bytes();
  assert.equal(p.byteLength, 16);
  const dv = new DataView(p.buffer, p.byteOffset);
  assert.deepEqual([dv.getUint32(0, true), dv.getFloat32(4, true), dv.getInt32(8, true)], [7, 0.5, -1]);
});

test('validation errors are captured, not silently ignored', async () => {
  gpu.takeErrors();
  const a = createTensor(gpu, [4], 'f32');
  const step = new GpuStep(gpu);
  // add.wgsl binds a, b, out and params; passing only `a` makes an invalid bind group.
  step.dispatch({ shader: 'add', constants: { WG: 256 } }, [a.binding()], new Params().u32(4).bytes(), [1]);
  await step.submit();
  await gpu.device.queue.onSubmittedWorkDone();
  assert.throws(() => gpu.assertNoErrors('bad dispatch'), /bad dispatch: \d+ WebGPU error/);
  assert.deepEqual(gpu.takeErrors(), [], 'errors are consumed once reported');
  a.destroy();
});
