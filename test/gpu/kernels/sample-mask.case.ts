import { applyEditsRef, SAMPLE_TOL, sampleRowRef } from '../../../src/cpu/sample.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { sample, type SampleResult } from '../../../src/sample/gpu-sampler.ts';
import { applyMaskRef, maskWords } from '../../../src/sample/mask.ts';
import { samplingParams, type SamplingParamsInput } from '../../../src/sample/params.ts';
import { TokenCounts, type SeqSampling } from '../../../src/sample/sequence.ts';
import { assert, assertClose, assertEqualArrays } from '../../helpers/assert.ts';
import { randn, rng } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Grammar masks (shaders/sample-mask.wgsl) against src/sample/mask.ts: the masked logits
// bit for bit, sampled ids only ever allowed ones and equal to the CPU reference on the
// masked logits, raw logprobs unaffected by the mask, and unmasked rows of the same batch
// exactly as they are without any mask in the batch.

async function run(gpu: GpuDevice, x: Float32Array, n: number, seqs: SeqSampling[]): Promise<{ res: SampleResult; after: Float32Array }> {
  const t = createTensor(gpu, [seqs.length, n], 'f32', x);
  const step = new GpuStep(gpu);
  const pending = sample(step, t, seqs);
  await step.submit();
  const res = await pending;
  const after = new Float32Array(await readTensor(gpu, t));
  t.destroy();
  return { res, after };
}

/** A mask allowing each id with probability `density` (at least `min` ids, the first ones drawn). */
function randomMask(n: number, density: number, seed: number, min = 1): Uint32Array {
  const r = rng(seed);
  const m = new Uint32Array(maskWords(n));
  let count = 0;
  for (let i = 0; i < n; i++) {
    if (r() < density) {
      m[i >>> 5] |= 1 << (i & 31);
      count++;
    }
  }
  for (let i = 0; count < min; i = (i + 7919) % n) {
    if ((m[i >>> 5] & (1 << (i & 31))) === 0) (m[i >>> 5] |= 1 << (i & 31)), count++;
  }
  // Bits past n (padding of the last word) set: the kernel must not write past the row.
  if (n % 32 !== 0) m[m.length - 1] |= ~0 << n % 32;
  return m;
}

const allowed = (m: Uint32Array, id: number) => (m[id >>> 5] & (1 << (id & 31))) !== 0;

const ROWS: { p: SamplingParamsInput; density?: number; min?: number }[] = [
  { p: { temperature: 0 }, density: 0.01 },
  { p: { temperature: 1 } },
  { p: { temperature: 1 }, density: 0.3 },
  { p: { temperature: 0.7, top_k: 20, top_p: 0.8 }, density: 0.05 },
  { p: { temperature: 1, top_p: 0.9, logprobs: true, top_logprobs: 5 }, density: 0.5 },
  { p: { temperature: 0.5, min_p: 0.1 } },
  { p: { temperature: 1, top_k: 50 }, density: 0, min: 1 },
  { p: { temperature: 0.9, repetition_penalty: 1.3, presence_penalty: 1, logit_bias: { 5: 100, 6: 100 }, logprobs: true }, density: 0.2 },
  { p: { temperature: 1.3, top_p: 0.95 }, density: 1 },
  { p: { temperature: 0 }, density: 0, min: 3 },
];

function maskCase(n: number, seedBase: number): KernelCase {
  return {
    name: `sample-mask: masked rows vs CPU, unmasked rows unchanged, n=${n}`,
    async run(gpu) {
      const x = randn(ROWS.length * n, seedBase, 2.5);
      const counts = new TokenCounts().addPrompt([1, 5, 9]).addOutput(5).addOutput(12);
      const masks = ROWS.map((r, i) => (r.density === undefined ? undefined : randomMask(n, r.density, seedBase * 10 + i, r.min)));
      const seqs: SeqSampling[] = ROWS.map((r, i) => ({ params: samplingParams(r.p), seed: seedBase + i, step: i * 3, counts, ...(masks[i] && { mask: masks[i] }) }));
      const { res, after } = await run(gpu, x, n, seqs);
      const free = await run(gpu, x, n, seqs.map(({ mask: _, ...s }) => s));
      let exact = 0;
      ROWS.forEach((_, i) => {
        const raw = x.subarray(i * n, (i + 1) * n);
        const edited = Float32Array.from(raw);
        applyEditsRef(edited, seqs[i]);
        const mask = masks[i];
        if (mask) applyMaskRef(edited, mask);
        assertEqualArrays(after.subarray(i * n, (i + 1) * n), edited, `row ${i}: logits after edits and mask`);
        const id = res.ids[i];
        if (!mask) {
          assert(id === free.res.ids[i], `unmasked row ${i}: ${id} with masks in the batch, ${free.res.ids[i]} without`);
          return;
        }
        assert(allowed(mask, id) && id < n, `row ${i}: sampled ${id}, which the mask refuses`);
        // The reference samples the already edited and masked logits (so no edits again).
        const plain = samplingParams({ ...ROWS[i].p, logit_bias: undefined, repetition_penalty: 1, presence_penalty: 0, frequency_penalty: 0 });
        const ref = sampleRowRef(edited, { params: plain, seed: seqs[i].seed, step: seqs[i].step });
        if (id === ref.id) exact++;
        else {
          assert(!ref.greedy && !ref.ambiguous, `row ${i}: id ${id}, reference ${ref.id}`);
          const [a, b] = ref.interval(id);
          assert(a - SAMPLE_TOL <= ref.u && ref.u <= b + SAMPLE_TOL, `row ${i}: id ${id} covers [${a}, ${b}], u = ${ref.u} (reference ${ref.id})`);
        }
        if (seqs[i].params.logprobs) {
          // Raw model logprobs: the unmasked, unedited row's log-softmax.
          const rawRef = sampleRowRef(raw, { params: samplingParams({ temperature: 0, logprobs: true, top_logprobs: seqs[i].params.top_logprobs }), seed: 0, step: 0 });
          assertClose([res.logprobs!.chosen[i]], [raw[id] - rawRef.lse], { atol: 1e-4 }, `row ${i} chosen logprob`);
          assertEqualArrays(res.logprobs!.top[i].ids, rawRef.top.ids, `row ${i} top ids (raw, before the mask)`);
        }
      });
      return `${exact}/${masks.filter(Boolean).length} masked ids exact`;
    },
  };
}

export const sampleMaskCases: KernelCase[] = [
  maskCase(1000, 71),
  maskCase(4131, 72),
  {
    name: 'sample-mask: a whole greedy batch (argmax kernel) honours masks; a 151936-token row',
    async run(gpu) {
      const n = 151936;
      const x = randn(3 * n, 80, 3);
      const one = new Uint32Array(maskWords(n));
      one[100000 >>> 5] = 1 << (100000 & 31);
      const some = randomMask(n, 0.001, 81);
      const seqs: SeqSampling[] = [
        { params: samplingParams({ temperature: 0 }), seed: 1, step: 0, mask: one },
        { params: samplingParams({ temperature: 0 }), seed: 2, step: 0 },
        { params: samplingParams({ temperature: 0 }), seed: 3, step: 0, mask: some },
      ];
      const { res } = await run(gpu, x, n, seqs);
      assert(res.ids[0] === 100000, `the only allowed id, got ${res.ids[0]}`);
      let am = 0;
      for (let i = 1; i < n; i++) if (x[n + i] > x[n + am]) am = i;
      assert(res.ids[1] === am, `unmasked row: argmax ${am}, got ${res.ids[1]}`);
      let best = -1;
      for (let i = 0; i < n; i++) if (allowed(some, i) && (best < 0 || x[2 * n + i] > x[2 * n + best])) best = i;
      assert(res.ids[2] === best, `masked argmax ${best}, got ${res.ids[2]}`);
    },
  },
];
