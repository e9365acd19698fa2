// sample() with grammar masks: one extra dispatch when some row has a mask (none when no
// row does), the same read-back (ids, plus logprob words when asked), a mask buffer back
// in the pool, and a mask of the wrong width refused before anything is recorded.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import { createTensor } from '../../src/gpu/tensor.ts';
import { sample } from '../../src/sample/gpu-sampler.ts';
import { maskWords } from '../../src/sample/mask.ts';
import { samplingParams } from '../../src/sample/params.ts';
import type { SeqSampling } from '../../src/sample/sequence.ts';
import { tracedSample } from '../helpers/traced-sample.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu.destroy());

const N = 1000;
const only = (...ids: number[]) => {
  const m = new Uint32Array(maskWords(N));
  for (const id of ids) m[id >>> 5] |= 1 << (id & 31);
  return m;
};

const traced = (seqs: SeqSampling[]) => tracedSample(gpu, seqs, N, 9);

const row = (p: Parameters<typeof samplingParams>[0], mask?: Uint32Array): SeqSampling => ({ params: samplingParams(p), seed: 3, step: 1, ...(mask && { mask }) });

test('masked rows add one dispatch and nothing to the read-back; they sample only allowed ids', async () => {
  const plain = await traced([row({ temperature: 1 }), row({ temperature: 0 })]);
  const masked = await traced([row({ temperature: 1 }, only(7, 900)), row({ temperature: 0 }, only(123))]);
  assert.equal(masked.dispatches, plain.dispatches + 1);
  assert.deepEqual(masked.reads, plain.reads);
  assert.ok([7, 900].includes(masked.out.ids[0]));
  assert.equal(masked.out.ids[1], 123);
  // All greedy: the argmax kernel, after the mask.
  const greedy = await traced([row({ temperature: 0 }, only(5)), row({ temperature: 0 })]);
  assert.equal(greedy.dispatches, 2);
  assert.equal(greedy.out.ids[0], 5);
  const lp = await traced([row({ temperature: 0.8, logprobs: true, top_logprobs: 2 }, only(1, 2, 3))]);
  assert.equal(lp.dispatches, 3, 'logprobs + mask + sample');
  assert.ok([1, 2, 3].includes(lp.out.ids[0]));
  assert.deepEqual(lp.reads, [(1 + 1 + 2 * 2) * 4]);
});

test('a mask of the wrong width is refused before anything is recorded', () => {
  const logits = createTensor(gpu, [1, N], 'f32', new Float32Array(N));
  const step = new GpuStep(gpu);
  assert.throws(() => sample(step, logits, [row({}, new Uint32Array(3))]), /mask has 3 words; 1000 logits need 32/);
  assert.equal(step.numDispatches, 0);
  logits.destroy();
});
