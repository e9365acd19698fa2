// sample(): what it records into the caller's step and what comes back. Only the ids are
// read back, plus the logprob words when a row asks; buffers go back to the pool.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../src/gpu/tensor.ts';
import { sample } from '../../src/sample/gpu-sampler.ts';
import { samplingParams, type SamplingParamsInput } from '../../src/sample/params.ts';
import { TokenCounts, type SeqSampling } from '../../src/sample/sequence.ts';
import { tracedSample } from '../helpers/traced-sample.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu.destroy());

const N = 1000;
const seqs = (ps: SamplingParamsInput[], counts?: TokenCounts): SeqSampling[] =>
  ps.map((p, r) => ({ params: samplingParams(p), seed: r, step: 0, counts }));

/** Runs one sample step, recording every read-back's size and the dispatch count. */
const traced = (ps: SamplingParamsInput[], counts?: TokenCounts) => tracedSample(gpu, seqs(ps, counts), N, 5);

test('a plain batch reads back 4 bytes per row: the ids', async () => {
  const { out, reads, dispatches } = await traced([{ temperature: 0.7, top_p: 0.9 }, { temperature: 0 }, { top_k: 5 }]);
  assert.deepEqual(reads, [3 * 4]);
  assert.equal(dispatches, 1);
  assert.equal(out.ids.length, 3);
  assert.equal(out.logprobs, undefined);
  for (const id of out.ids) assert.ok(id < N);
});

test('an all-greedy batch is one argmax dispatch; penalties add one edit dispatch', async () => {
  assert.equal((await traced([{ temperature: 0 }, { temperature: 0 }])).dispatches, 1);
  const counts = new TokenCounts().addOutput(3);
  const { reads, dispatches } = await traced([{ temperature: 0, presence_penalty: 1 }, { temperature: 0 }], counts);
  assert.equal(dispatches, 2);
  assert.deepEqual(reads, [2 * 4]);
});

test('logprobs add the chosen and top-k words, nothing else', async () => {
  const { out, reads, dispatches } = await traced([{ logprobs: true, top_logprobs: 3 }, {}, { temperature: 0, logprobs: true, top_logprobs: 1 }]);
  const S = 3;
  const kmax = 3;
  assert.deepEqual(reads, [(S + S + 2 * S * kmax) * 4], 'ids + chosen + top ids + top logprobs');
  assert.equal(dispatches, 2, 'top-logprobs kernel + sample');
  const lp = out.logprobs!;
  assert.equal(lp.top[0].ids.length, 3);
  assert.equal(lp.top[1].ids.length, 0);
  assert.ok(Number.isNaN(lp.chosen[1]));
  assert.ok(lp.chosen[0] < 0);
  assert.ok(lp.top[0].logprobs[0] >= lp.top[0].logprobs[1] && lp.top[0].logprobs[1] >= lp.top[0].logprobs[2]);
  // Greedy: the chosen token is the most likely one.
  assert.deepEqual([...lp.top[2].ids], [out.ids[2]]);
  assert.equal(lp.chosen[2], lp.top[2].logprobs[0]);
});

test('logit edits land in the logits in place; bias on an id outside the vocabulary throws', async () => {
  const x = new Float32Array(N);
  const logits = createTensor(gpu, [1, N], 'f32', x);
  const step = new GpuStep(gpu);
  const res = sample(step, logits, seqs([{ temperature: 0, logit_bias: { 7: 2 } }]));
  await step.submit();
  assert.equal((await res).ids[0], 7);
  const after = new Float32Array(await readTensor(gpu, logits));
  assert.equal(after[7], 2);
  assert.throws(() => sample(new GpuStep(gpu), logits, seqs([{ logit_bias: { [N]: 1 } }])), /outside the vocabulary/);
  assert.throws(() => sample(new GpuStep(gpu), logits, seqs([{}, {}])), /logits must be f32 \[2, vocab\]/);
  logits.destroy();
});

test('steady state allocates nothing: the step buffers return to the pool', async () => {
  await traced([{ logprobs: true, top_logprobs: 2 }, { presence_penalty: 1 }], new TokenCounts().addOutput(1));
  const bytes = gpu.pool.allocatedBytes;
  for (let i = 0; i < 3; i++) await traced([{ logprobs: true, top_logprobs: 2 }, { presence_penalty: 1 }], new TokenCounts().addOutput(1));
  assert.equal(gpu.pool.allocatedBytes, bytes);
});
