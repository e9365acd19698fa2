// One sample() step over random logits, recording every read-back's size and the number of
// dispatches it added (test/sample/*: what the sampler records and what comes back).
import type { GpuDevice } from '../../src/gpu/device.ts';
import { GpuStep } from '../../src/gpu/step.ts';
import { createTensor } from '../../src/gpu/tensor.ts';
import { sample } from '../../src/sample/gpu-sampler.ts';
import type { SeqSampling } from '../../src/sample/sequence.ts';
import { randn } from './random.ts';

/** Samples `seqs` from [seqs.length, vocab] random logits (seeded by `seed`). */
export async function tracedSample(gpu: GpuDevice, seqs: SeqSampling[], vocab: number, seed: number) {
  const logits = createTensor(gpu, [seqs.length, vocab], 'f32', randn(seqs.length * vocab, seed));
  const step = new GpuStep(gpu);
  const reads: number[] = [];
  const read = step.read.bind(step);
  step.read = (src, size) => {
    reads.push(size ?? 0);
    return read(src, size);
  };
  const res = sample(step, logits, seqs);
  const dispatches = step.numDispatches;
  await step.submit();
  const out = await res;
  logits.destroy();
  gpu.assertNoErrors('sample');
  return { out, reads, dispatches };
}
