// The CPU reference's semantics (src/cpu/sample.ts), which the GPU kernels are held to:
// the hash, the edit math, and the min-p / top-k / top-p kept sets on hand-made rows.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyEditsRef, pcg4d, sampleRowRef, sampleUniform } from '../../src/cpu/sample.ts';
import { samplingParams, type SamplingParamsInput } from '../../src/sample/params.ts';
import { TokenCounts } from '../../src/sample/sequence.ts';

const row = (p: SamplingParamsInput, logits: number[], seed = 1, step = 0) =>
  sampleRowRef(Float32Array.from(logits), { params: samplingParams(p), seed, step });
const keptIds = (r: { kept: Uint8Array }) => [...r.kept.keys()].filter((i) => r.kept[i]);

test('pcg4d is pinned (the GPU shader computes the same words)', () => {
  assert.deepEqual(pcg4d(0, 0, 0, 0), [251852841, 760645481, 850445371, 3542436074]);
  assert.deepEqual(pcg4d(1, 2, 3, 0), [2485213663, 503050965, 3835551870, 3120682894]);
});

test('the uniform depends on (seed, step) only, 24 bits in [0, 1)', () => {
  assert.equal(sampleUniform(7, 3), sampleUniform(7, 3));
  const us = new Set(Array.from({ length: 1000 }, (_, s) => sampleUniform(7, s)));
  assert.ok(us.size > 990, 'steps give distinct draws');
  for (const u of us) assert.ok(u >= 0 && u < 1 && Number.isInteger(u * 2 ** 24));
  assert.notEqual(sampleUniform(7, 3), sampleUniform(-7, 3));
  assert.notEqual(sampleUniform(2 ** 32 + 7, 3), sampleUniform(7, 3), 'the seed\'s high word counts');
});

test('edits: bias, then repetition (divide positive / multiply negative), then frequency + presence', () => {
  const x = Float32Array.from([2, -2, 2, 1]);
  const counts = new TokenCounts().addPrompt([0, 1]).addOutput(2).addOutput(2);
  applyEditsRef(x, {
    params: samplingParams({ repetition_penalty: 2, presence_penalty: 0.5, frequency_penalty: 0.25, logit_bias: { 3: -3 } }),
    seed: 0,
    step: 0,
    counts,
  });
  assert.deepEqual([...x], [1, -4, 1 - 0.5 - 0.5, -2]);
});

test('greedy: the first maximum; its raw logprob', () => {
  const r = row({ temperature: 0 }, [1, 3, 3, 0]);
  assert.equal(r.id, 1);
  assert.ok(r.greedy);
  assert.ok(Math.abs(r.logprob - (3 - Math.log(Math.exp(1) + 2 * Math.exp(3) + 1))) < 1e-12);
});

test('top-k keeps ties at the k-th value; min-p is relative to the top probability', () => {
  assert.deepEqual(keptIds(row({ top_k: 2 }, [5, 1, 4, 4, 0])), [0, 2, 3]);
  assert.deepEqual(keptIds(row({ top_k: 1 }, [5, 1, 4, 4, 0])), [0]);
  // p_i / p_max = exp(x_i - 5) >= 0.3 <=> x_i >= 5 + ln 0.3 = 3.796
  assert.deepEqual(keptIds(row({ min_p: 0.3 }, [5, 1, 4, 3.7, 0])), [0, 2]);
  // At T = 2 the ratio is exp((x - 5) / 2): 3.7 passes (0.52), 1 does not (0.135).
  assert.deepEqual(keptIds(row({ min_p: 0.3, temperature: 2 }, [5, 1, 4, 3.7, 0])), [0, 2, 3]);
});

test('top-p keeps the smallest top set reaching the mass, renormalized after top-k', () => {
  const logits = [Math.log(0.5), Math.log(0.3), Math.log(0.15), Math.log(0.05)];
  assert.deepEqual(keptIds(row({ top_p: 0.5 }, logits)), [0]);
  assert.deepEqual(keptIds(row({ top_p: 0.7 }, logits)), [0, 1]);
  assert.deepEqual(keptIds(row({ top_p: 0.9 }, logits)), [0, 1, 2]);
  // After top_k = 2 the kept masses are 0.625 / 0.375: top_p 0.6 keeps one.
  assert.deepEqual(keptIds(row({ top_k: 2, top_p: 0.6 }, logits)), [0]);
  assert.deepEqual(keptIds(row({ top_k: 2, top_p: 0.7 }, logits)), [0, 1]);
});

test('the draw is the inverse CDF in index order over the kept mass', () => {
  const logits = [Math.log(0.25), Math.log(0.25), Math.log(0.5)];
  for (let step = 0; step < 50; step++) {
    const r = row({}, logits, 99, step);
    const want = r.u < 0.25 ? 0 : r.u < 0.5 ? 1 : 2;
    assert.equal(r.id, want, `u = ${r.u}`);
    const [a, b] = r.interval(r.id);
    assert.ok(a <= r.u && r.u < b);
  }
});
