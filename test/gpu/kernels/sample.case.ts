import { argmaxRef } from '../../../src/cpu/argmax.ts';
import { SAMPLE_TOL, sampleRef, type RowSampleRef } from '../../../src/cpu/sample.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor } from '../../../src/gpu/tensor.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { sample, type SampleResult } from '../../../src/sample/gpu-sampler.ts';
import { samplingParams, type SamplingParamsInput } from '../../../src/sample/params.ts';
import { TokenCounts, type SeqSampling } from '../../../src/sample/sequence.ts';
import { assert, assertClose, assertEqualArrays } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Ids must match the CPU reference exactly, except where the reference says a draw's uniform
// lies within SAMPLE_TOL (2e-5, relative) of a CDF boundary, or a top-p / min-p boundary within
// SAMPLE_TOL of a token: f32 sums and GPU exp legitimately differ there. Such rows
// must still pick a kept token whose CDF interval holds u within SAMPLE_TOL. Logprobs:
// within 1e-4 absolute of the f64 reference (f32 log-sum-exp over up to 152k terms).

async function runSample(gpu: GpuDevice, x: Float32Array, n: number, seqs: SeqSampling[]): Promise<SampleResult> {
  const t = createTensor(gpu, [seqs.length, n], 'f32', x);
  const step = new GpuStep(gpu);
  const res = sample(step, t, seqs);
  await step.submit();
  const out = await res;
  t.destroy();
  return out;
}

const seq = (p: SamplingParamsInput, seed: number, step = 0, counts?: TokenCounts): SeqSampling => ({
  params: samplingParams(p),
  seed,
  step,
  counts,
});

/** Checks every row against the reference; returns how many matched exactly. */
function checkRows(ids: Uint32Array, ref: RowSampleRef[], what: string): number {
  let exact = 0;
  ref.forEach((r, i) => {
    const id = ids[i];
    if (id === r.id) return exact++;
    assert(!r.greedy, `${what} row ${i}: greedy id ${id}, expected ${r.id}`);
    if (r.ambiguous) return; // a top-p / min-p boundary within rounding: the kept set may differ
    const [a, b] = r.interval(id);
    assert(r.kept[id] === 1, `${what} row ${i}: id ${id} is not in the kept set (expected ${r.id})`);
    assert(a - SAMPLE_TOL <= r.u && r.u <= b + SAMPLE_TOL, `${what} row ${i}: id ${id} covers [${a}, ${b}], u = ${r.u} (expected ${r.id})`);
  });
  return exact;
}

function checkLogprobs(res: SampleResult, ref: RowSampleRef[], seqs: SeqSampling[], x: Float32Array, what: string): void {
  const n = x.length / seqs.length;
  const lp = res.logprobs;
  assert(lp, `${what}: logprobs missing`);
  seqs.forEach((s, i) => {
    if (!s.params.logprobs) return assert(Number.isNaN(lp.chosen[i]) && lp.top[i].ids.length === 0, `${what} row ${i}: unasked logprobs`);
    const id = res.ids[i];
    assertClose([lp.chosen[i]], [x[i * n + id] - ref[i].lse], { atol: 1e-4 }, `${what} row ${i} chosen logprob`);
    assertEqualArrays(lp.top[i].ids, ref[i].top.ids, `${what} row ${i} top ids`);
    assertClose(lp.top[i].logprobs, ref[i].top.logprobs, { atol: 1e-4 }, `${what} row ${i} top logprobs`);
  });
}

// One row per setting; every row has its own logits, seed and step.
const GRID: SamplingParamsInput[] = [
  { temperature: 0 },
  { temperature: 1 },
  { temperature: 0.5 },
  { temperature: 1.5 },
  { temperature: 1, top_k: 1 },
  { temperature: 0.8, top_k: 5 },
  { temperature: 1, top_k: 50 },
  { temperature: 1, top_p: 0.5 },
  { temperature: 1.2, top_p: 0.9 },
  { temperature: 1, min_p: 0.1 },
  { temperature: 0.7, top_k: 20, top_p: 0.8 },
  { temperature: 1, top_k: 40, top_p: 0.95, min_p: 0.05 },
  { temperature: 1, top_p: 0.9, logprobs: true, top_logprobs: 5 },
  { temperature: 0, logprobs: true, top_logprobs: 20 },
  { temperature: 0.9, presence_penalty: 1.5, frequency_penalty: 0.5, repetition_penalty: 1.3, logit_bias: { 3: 5, 7: -100 } },
  { temperature: 0, repetition_penalty: 2, logprobs: true },
];

function gridCase(n: number, seedBase: number): KernelCase {
  return {
    name: `sample grid vs CPU n=${n} rows=${GRID.length}`,
    async run(gpu) {
      const x = randn(GRID.length * n, seedBase, 2.5);
      const counts = new TokenCounts().addPrompt([1, 2, 3, 10, 11]).addOutput(2).addOutput(2).addOutput(40);
      const seqs = GRID.map((p, r) => seq(p, seedBase * 100 + r, r * 7, counts));
      const res = await runSample(gpu, x, n, seqs);
      const ref = sampleRef(x, n, seqs);
      const exact = checkRows(res.ids, ref, 'grid');
      checkLogprobs(res, ref, seqs, x, 'grid');
      return `${exact}/${GRID.length} ids exact`;
    },
  };
}

export const sampleCases: KernelCase[] = [
  gridCase(1000, 31),
  gridCase(5000, 32),
  {
    name: 'sample greedy, top_k=1, tiny top_p and min_p=1 all equal argmax',
    async run(gpu) {
      const n = 3000;
      const ps: SamplingParamsInput[] = [{ temperature: 0 }, { top_k: 1 }, { top_p: 1e-6 }, { min_p: 1, temperature: 1.7 }, { temperature: 1e-6 }];
      const base = randn(n, 50, 3);
      const x = new Float32Array(ps.length * n);
      ps.forEach((_, r) => x.set(base, r * n));
      const res = await runSample(gpu, x, n, ps.map((p, r) => seq(p, r, 3)));
      assertEqualArrays(res.ids, argmaxRef(x, n), 'greedy-equivalent ids');
      // A whole greedy batch takes the argmax kernel instead: same ids.
      const greedy = await runSample(gpu, x, n, ps.map((_, r) => seq({ temperature: 0 }, r)));
      assertEqualArrays(greedy.ids, argmaxRef(x, n), 'argmax-kernel ids');
    },
  },
  {
    name: 'sample: the same (seed, step) gives the same id wherever the row sits in the batch',
    async run(gpu) {
      const n = 2000;
      const mine = randn(n, 60, 2);
      const p = { temperature: 1.1, top_p: 0.95, top_k: 200 };
      const alone = (await runSample(gpu, mine, n, [seq(p, 424242, 17)])).ids[0];
      const x = randn(5 * n, 61, 2);
      x.set(mine, 3 * n);
      const neighbours: SamplingParamsInput[] = [{ temperature: 0 }, { top_k: 3 }, { temperature: 0.4, logprobs: true, top_logprobs: 2 }, p, { min_p: 0.2 }];
      const batch = (await runSample(gpu, x, n, neighbours.map((q, r) => seq(q, r === 3 ? 424242 : r, r === 3 ? 17 : 5)))).ids[3];
      assert(alone === batch, `alone ${alone}, at row 3 of 5: ${batch}`);
      // Steps advance the stream: over 12 steps a flat-ish distribution gives different ids.
      const steps = await runSample(gpu, new Float32Array(12 * n), n, Array.from({ length: 12 }, (_, s) => seq({}, 424242, s)));
      assert(new Set(steps.ids).size > 6, `12 steps gave ids ${[...steps.ids]}`);
      return `id ${alone}`;
    },
  },
  {
    name: 'sample distribution: 2000 draws on a 10-token vocabulary pass a chi-square test',
    async run(gpu) {
      const n = 10;
      const logits = Float32Array.from([2, 1.5, 1, 0.5, 0, -0.5, -1, 0.2, 1.2, -2]);
      const notes: string[] = [];
      for (const p of [{ temperature: 1 }, { temperature: 0.8, top_k: 4 }, { temperature: 1.3, top_p: 0.7 }, { min_p: 0.3 }]) {
        const draws = 2000;
        const x = new Float32Array(draws * n);
        for (let r = 0; r < draws; r++) x.set(logits, r * n);
        const seqs = Array.from({ length: draws }, (_, r) => seq(p, 9001, r));
        const ids = (await runSample(gpu, x, n, seqs)).ids;
        const ref = sampleRef(logits, n, [seqs[0]])[0];
        // Expected probabilities: the reference's kept masses.
        const expected = Array.from({ length: n }, (_, i) => ref.interval(i)[1] - ref.interval(i)[0]);
        const counts = new Array(n).fill(0);
        ids.forEach((id) => counts[id]++);
        let chi2 = 0;
        let dof = -1;
        for (let i = 0; i < n; i++) {
          if (expected[i] === 0) {
            assert(counts[i] === 0, `${JSON.stringify(p)}: token ${i} is filtered out but drawn ${counts[i]} times`);
            continue;
          }
          chi2 += (counts[i] - draws * expected[i]) ** 2 / (draws * expected[i]);
          dof++;
        }
        // 0.999 quantile of chi-square(dof), Wilson-Hilferty.
        const h = 2 / (9 * dof);
        const bound = dof * (1 - h + 3.09 * Math.sqrt(h)) ** 3;
        assert(chi2 < bound, `${JSON.stringify(p)}: chi2 ${chi2.toFixed(1)} >= ${bound.toFixed(1)} (dof ${dof}); counts ${counts}`);
        notes.push(`chi2 ${chi2.toFixed(1)}/${bound.toFixed(1)}`);
      }
      return notes.join(', ');
    },
  },
  {
    name: 'sample: penalties and logit_bias move the argmax as expected',
    async run(gpu) {
      const n = 64;
      const base = new Float32Array(n).fill(-1);
      base[5] = 4; // the argmax
      base[9] = 3.5; // runner-up
      base[20] = 2.5;
      const out5 = new TokenCounts().addOutput(5);
      const cases: [SamplingParamsInput, TokenCounts | undefined, number][] = [
        [{}, undefined, 5],
        [{ presence_penalty: 1 }, out5, 9], // 4 - 1 < 3.5
        [{ frequency_penalty: 0.2 }, new TokenCounts().addOutput(5).addOutput(5).addOutput(5), 9], // 4 - 0.6
        [{ frequency_penalty: 0.2 }, out5, 5], // 4 - 0.2 still ahead
        [{ repetition_penalty: 1.5 }, new TokenCounts().addPrompt([5]), 9], // 4 / 1.5 in the prompt
        [{ presence_penalty: -2 }, new TokenCounts().addOutput(20), 20], // negative: 2.5 + 2 > 4
        [{ logit_bias: { 20: 5 } }, undefined, 20],
        [{ logit_bias: { 5: -100 } }, undefined, 9],
        [{ logit_bias: { 5: -100, 9: -100 }, repetition_penalty: 1.2 }, new TokenCounts().addPrompt([20]), 20], // 2.5 / 1.2 beats the -1s
      ];
      const x = new Float32Array(cases.length * n);
      cases.forEach((_, r) => x.set(base, r * n));
      const seqs = cases.map(([p, c], r) => seq({ ...p, temperature: 0, logprobs: r === 6 }, r, 0, c));
      const res = await runSample(gpu, x, n, seqs);
      assertEqualArrays(res.ids, cases.map(([, , want]) => want), 'penalized argmax');
      assertEqualArrays(res.ids, sampleRef(x, n, seqs).map((r) => r.id), 'vs reference');
      // Raw logprobs ignore the bias that made token 20 win.
      const raw = sampleRef(x, n, seqs)[6].logprob;
      assertClose([res.logprobs!.chosen[6]], [raw], { atol: 1e-5 }, 'raw logprob of a biased token');
    },
  },
  {
    name: 'sample top logprobs with ties: flat and coarsely rounded rows',
    async run(gpu) {
      const n = 3000;
      const x = randn(3 * n, 80, 2).map((v, i) => (i < n ? 0.5 : Math.round(v)));
      const ps: SamplingParamsInput[] = [{ logprobs: true, top_logprobs: 5 }, { logprobs: true, top_logprobs: 20 }, { temperature: 0, logprobs: true, top_logprobs: 3 }];
      const seqs = ps.map((p, r) => seq(p, r, 0));
      const res = await runSample(gpu, x, n, seqs);
      const ref = sampleRef(x, n, seqs);
      checkRows(res.ids, ref, 'ties');
      checkLogprobs(res, ref, seqs, x, 'ties');
      assertEqualArrays(res.logprobs!.top[0].ids, [0, 1, 2, 3, 4], 'flat row: the lowest ids');
    },
  },
  {
    name: 'sample vs CPU n=151936 rows=4 (top-k/top-p/min-p searches, top 20 logprobs)',
    async run(gpu) {
      const n = 151_936;
      const ps: SamplingParamsInput[] = [
        { temperature: 0.7, top_k: 50, top_p: 0.9 },
        { temperature: 1, top_p: 0.95 },
        { temperature: 1, min_p: 0.05, logprobs: true, top_logprobs: 20 },
        { temperature: 1.5, top_k: 3000 },
      ];
      const x = randn(ps.length * n, 70, 2);
      const seqs = ps.map((p, r) => seq(p, 77 + r, 1));
      const res = await runSample(gpu, x, n, seqs);
      const ref = sampleRef(x, n, seqs);
      const exact = checkRows(res.ids, ref, 'vocab 151936');
      checkLogprobs(res, ref, seqs, x, 'vocab 151936');
      return `${exact}/${ps.length} ids exact`;
    },
  },
];
