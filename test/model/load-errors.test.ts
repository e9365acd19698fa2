// Models that cannot run fail before anything is allocated, with an error naming the
// limit; a lost device fails the step instead of hanging it.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { acquireDevice, GpuDevice } from '../../src/gpu/device.ts';
import { GgmlType, GgufValueType, type GgufFile, type GgufKv } from '../../src/loader/gguf/index.ts';
import { LoaderError } from '../../src/loader/loader-error.ts';
import { openModelSource, type OpenedModel } from '../../src/loader/model-source.ts';
import { DeviceLostError, loadModel, ModelError, planModel, type LoadModelOptions } from '../../src/model/index.ts';
import { testModel } from '../helpers/test-models.ts';

let gpu: GpuDevice;
let opened: OpenedModel & { kind: 'gguf' };
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  const path = await testModel('tiny-qwen3', 'f32');
  opened = (await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost)) as typeof opened;
});
after(async () => {
  await opened?.close();
  gpu?.destroy();
});

/** The same file with some metadata replaced or tensor infos rewritten. */
function edited(meta: Record<string, GgufKv>, tensors?: (t: GgufFile['tensors'][number]) => GgufFile['tensors'][number]): OpenedModel {
  const g = opened.gguf;
  const gguf: GgufFile = { ...g, metadata: new Map([...g.metadata, ...Object.entries(meta)]), tensors: tensors ? g.tensors.map(tensors) : g.tensors };
  return { kind: 'gguf', gguf, close: async () => {} };
}

/** Runs `f` counting GPU buffers created meanwhile. */
async function buffersCreatedBy(f: () => Promise<unknown>): Promise<number> {
  const device = gpu.device;
  const real = device.createBuffer.bind(device);
  let n = 0;
  device.createBuffer = (d: GPUBufferDescriptor) => (n++, real(d));
  try {
    await f();
  } finally {
    device.createBuffer = real;
  }
  return n;
}

async function rejectsBeforeAllocating(model: OpenedModel, opts: LoadModelOptions, pattern: RegExp, code: string): Promise<void> {
  const n = await buffersCreatedBy(() =>
    assert.rejects(loadModel(gpu, model, opts), (e: Error) => {
      assert.match(e.message, pattern);
      assert.equal((e as ModelError | LoaderError).code, code);
      return true;
    }),
  );
  assert.equal(n, 0, 'no GPU buffer was created');
}

it('a model over the memory budget: an error naming the budget, before allocating', async () => {
  await rejectsBeforeAllocating(opened, { memoryBudget: 8 << 20 }, /over the memory budget of 8\.0 MiB/, 'too-large');
  const plan = planModel(gpu, opened, { maxContext: 64 });
  // 151936 x 64 f32 embeddings dominate; KV: 2 layers x K,V x 64 tokens x 2 heads x 32 dims x 2 bytes.
  assert.ok(plan.weights.bytes > 38e6 && plan.kvBytes === 2 * 2 * 64 * 2 * 32 * 2, `${plan.weights.bytes} ${plan.kvBytes}`);
});

it('a tensor row or KV pool over the binding limit: an error naming maxStorageBufferBindingSize', async () => {
  const small = new GpuDevice(gpu.device, gpu.adapter, gpu.features, { ...gpu.limits, maxStorageBufferBindingSize: 4096 }, gpu.tuning);
  assert.throws(() => planModel(small, opened, { maxContext: 64 }), /maxStorageBufferBindingSize of 4096/);
  assert.throws(() => planModel(gpu, opened, { maxContext: 1 << 24 }), (e: ModelError) => e.code === 'too-large' && /KV cache of 16777216 tokens .* maxStorageBufferBindingSize/.test(e.message));
});

it('an architecture basert does not implement', async () => {
  await rejectsBeforeAllocating(edited({ 'general.architecture': { type: GgufValueType.STRING, value: 'gemma2' } }), {}, /architecture 'gemma2': basert supports llama, qwen2, qwen3/, 'unsupported');
});

it('shapes the kernels cannot serve: head_dim 512, a tensor type without a kernel, a mis-shaped weight', async () => {
  const u32 = (value: number): GgufKv => ({ type: GgufValueType.UINT32, value });
  await rejectsBeforeAllocating(edited({ 'qwen3.attention.key_length': u32(512), 'qwen3.attention.value_length': u32(512) }), {}, /headDim 512 must be 1\.\.256/, 'unsupported');
  const q2k = edited({}, (t) => (t.name === 'blk.1.ffn_down.weight' ? { ...t, type: GgmlType.Q2_K } : t));
  await rejectsBeforeAllocating(q2k, {}, /'blk\.1\.ffn_down\.weight' is q2_K; basert's kernels read f32, f16, bf16, q8_0/, 'unsupported');
  const bad = edited({}, (t) => (t.name === 'blk.0.attn_k.weight' ? { ...t, dims: [64, 32] } : t));
  await rejectsBeforeAllocating(bad, {}, /'blk\.0\.attn_k\.weight' is \[32,64\], the config says \[64,64\]/, 'bad-weights');
});

it('a lost device: the step fails with DeviceLostError instead of hanging', async () => {
  const own = await acquireDevice(await findNodeGpu());
  const model = await loadModel(own, opened, { maxContext: 64 });
  const batch = { tokens: [1, 2, 3], seqs: [{ blockTable: [0], numComputed: 0, numNew: 3 }] };
  await model.logits(batch);
  const pending = model.logits(batch);
  own.device.destroy();
  await assert.rejects(pending, DeviceLostError);
  await assert.rejects(model.logits(batch), (e: Error) => e instanceof DeviceLostError && /reload the model/.test(e.message));
  own.destroy();
});
