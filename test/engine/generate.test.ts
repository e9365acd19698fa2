// generate(): greedy decoding picks the argmax of the logits a plain forward gives for the
// same text (checked token by token), whatever the prefill chunking; stop ids and limits
// end it; sampling is repeatable with a seed.
import assert from 'node:assert/strict';
import { after, before, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { generate, type GenerateOptions, type GenerateStats } from '../../src/engine/generate.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel, type Model } from '../../src/model/index.ts';
import { samplingParams } from '../../src/sample/params.ts';
import { testModel } from '../helpers/test-models.ts';

let gpu: GpuDevice;
let model: Model;
let prompt: number[];
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  const path = await testModel('tiny-llama', 'q8_0');
  const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
  try {
    model = await loadModel(gpu, opened, { maxContext: 64 });
  } finally {
    await opened.close();
  }
  prompt = model.tokenizer.encode('Once upon a time, in a small village by the sea,');
});
after(() => {
  model?.destroy();
  gpu?.destroy();
});

async function run(opts: GenerateOptions, ids = prompt): Promise<{ ids: number[]; stats: GenerateStats }> {
  const out: number[] = [];
  const it = generate(model, ids, opts);
  let r = await it.next();
  for (; !r.done; r = await it.next()) out.push(r.value);
  return { ids: out, stats: r.value };
}

const argmax = (x: Float32Array) => x.reduce((best, v, i) => (v > x[best] ? i : best), 0);

it('greedy: each token is the argmax of a fresh forward over the text so far', async () => {
  const { ids, stats } = await run({ maxTokens: 6, stopIds: [] });
  assert.equal(ids.length, 6);
  assert.deepEqual({ ...stats, firstTokenMs: 0, decodeMs: 0 }, { promptTokens: prompt.length, generatedTokens: 6, firstTokenMs: 0, decodeMs: 0, finishReason: 'length' });
  const check = model.withKvCache({ kvBits: 16, blockSize: 16, numBlocks: 4 });
  try {
    for (let i = 0; i < ids.length; i++) {
      const text = [...prompt, ...ids.slice(0, i)];
      const logits = await check.logits({ tokens: text, seqs: [{ blockTable: [0, 1, 2, 3], numComputed: 0, numNew: text.length }] });
      // Equal, or a tie within the f16 KV rounding between decode and prefill kernels (test/model/batch.test.ts).
      const best = argmax(logits);
      assert.ok(ids[i] === best || logits[best] - logits[ids[i]] < 1.5e-3, `token ${i}: ${ids[i]}, argmax ${best}`);
    }
  } finally {
    check.destroy();
  }
  assert.deepEqual((await run({ maxTokens: 6, stopIds: [], prefillChunk: 4 })).ids, ids, 'prefill in chunks of 4');
});

it('stops at a stop id (not yielded), at maxTokens, and at the KV capacity', async () => {
  const { ids } = await run({ maxTokens: 3, stopIds: [] });
  const stopped = await run({ maxTokens: 10, stopIds: [ids[1]] });
  assert.deepEqual(stopped.ids, ids.slice(0, 1));
  assert.equal(stopped.stats.finishReason, 'stop');
  const full = await run({ maxTokens: 1000, stopIds: [] });
  assert.equal(full.ids.length, model.kvCapacity - prompt.length);
  assert.equal(full.stats.finishReason, 'length');
  await assert.rejects(run({ maxTokens: 1 }, new Array(64).fill(1)), /leaves no room in a KV cache of 64 tokens/);
});

it('sampling: the same seed gives the same tokens', async () => {
  const sampling = samplingParams({ temperature: 1, top_k: 50 });
  const a = await run({ maxTokens: 8, stopIds: [], sampling, seed: 42 });
  const b = await run({ maxTokens: 8, stopIds: [], sampling, seed: 42 });
  const c = await run({ maxTokens: 8, stopIds: [], sampling, seed: 43 });
  assert.deepEqual(a.ids, b.ids);
  assert.notDeepEqual(a.ids, c.ids);
  gpu.assertNoErrors('generate');
});
