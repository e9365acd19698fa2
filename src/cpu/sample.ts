// CPU reference for src/sample/gpu-sampler.ts (shaders/sample*.wgsl): the same hash, edit
// math and threshold semantics, computed exactly (sorting, f64 sums) instead of by search.
// The GPU's f32 sums and exp differ in the last bits, so a draw whose uniform lies within
// rounding of a CDF boundary (or a top-p / min-p boundary within rounding of a token) may
// legitimately differ: the reference reports intervals and `ambiguous` for tests to allow it.

import { isGreedy, seedWords, type SamplingParams } from '../sample/params.ts';
import { logitEdits, type SeqSampling } from '../sample/sequence.ts';

const f = Math.fround;

/** PCG4D (Jarzynski & Olano, "Hash Functions for GPU Rendering", 2020), u32 lanes. */
export function pcg4d(a: number, b: number, c: number, d: number): [number, number, number, number] {
  let x = (Math.imul(a, 1664525) + 1013904223) >>> 0;
  let y = (Math.imul(b, 1664525) + 1013904223) >>> 0;
  let z = (Math.imul(c, 1664525) + 1013904223) >>> 0;
  let w = (Math.imul(d, 1664525) + 1013904223) >>> 0;
  for (let round = 0; round < 2; round++) {
    x = (x + Math.imul(y, w)) >>> 0;
    y = (y + Math.imul(z, x)) >>> 0;
    z = (z + Math.imul(x, y)) >>> 0;
    w = (w + Math.imul(y, z)) >>> 0;
    if (round === 0) [x, y, z, w] = [x ^ (x >>> 16), y ^ (y >>> 16), z ^ (z >>> 16), w ^ (w >>> 16)];
  }
  return [x, y, z, w];
}

/** The draw's uniform in [0, 1) with 24 bits: hash(seed, step), nothing else. */
export function sampleUniform(seed: number, step: number): number {
  const [lo, hi] = seedWords(seed);
  return (pcg4d(lo, hi, step >>> 0, 0)[0] >>> 8) / 16777216;
}

/** Applies logit_bias and penalties to one row in place, in f32 like the kernel. */
export function applyEditsRef(row: Float32Array, seq: SeqSampling): void {
  for (const e of logitEdits(seq.params, seq.counts)) {
    let v = f(row[e.id] + f(e.bias));
    v = v > 0 ? f(v * f(e.mulPos)) : f(v * f(e.mulNeg));
    row[e.id] = f(v - f(e.sub));
  }
}

export interface RowSampleRef {
  id: number;
  greedy: boolean;
  /** The uniform the draw used. */
  u: number;
  /** kept[i] = 1 when token i survives min-p, top-k and top-p. */
  kept: Uint8Array;
  /** Cumulative kept mass before token i and through it, as fractions of the total (index order). */
  interval(i: number): [number, number];
  /** A min-p or top-p boundary lies within rounding of a token's value or mass. */
  ambiguous: boolean;
  /** log_softmax of the raw (unedited) logits: the sampled token's, and the top ones. */
  logprob: number;
  /** log-sum-exp of the raw logits (a token's raw logprob is its logit minus this). */
  lse: number;
  top: { ids: number[]; logprobs: number[] };
}

/** Relative rounding slack for boundary decisions (f32 sums of thousands of terms, GPU exp). */
export const SAMPLE_TOL = 2e-5;

function rawLogprobs(raw: Float32Array, topN: number) {
  let m = -Infinity;
  for (const v of raw) m = Math.max(m, v);
  let s = 0;
  for (const v of raw) s += Math.exp(v - m);
  const lse = m + Math.log(s);
  // The topN largest, value descending then id ascending (insertion into a short list).
  const ids: number[] = [];
  for (let i = 0; i < raw.length && topN > 0; i++) {
    if (ids.length === topN && !(raw[i] > raw[ids[topN - 1]])) continue;
    let j = ids.length;
    while (j > 0 && raw[ids[j - 1]] < raw[i]) j--;
    ids.splice(j, 0, i);
    if (ids.length > topN) ids.pop();
  }
  return { lse, top: { ids, logprobs: ids.map((i) => raw[i] - lse) } };
}

/** Samples one row of raw logits the way the GPU does (see the file comment). */
export function sampleRowRef(raw: Float32Array, seq: SeqSampling): RowSampleRef {
  const p: SamplingParams = seq.params;
  const n = raw.length;
  const x = Float32Array.from(raw);
  applyEditsRef(x, seq);
  const lp = rawLogprobs(raw, Math.min(p.top_logprobs, n));
  let am = 0;
  for (let i = 1; i < n; i++) if (x[i] > x[am]) am = i;
  const m = x[am];
  const u = sampleUniform(seq.seed, seq.step);
  const kept = new Uint8Array(n);
  const cum = new Float64Array(n + 1);
  const result = (id: number, ambiguous: boolean, greedy: boolean): RowSampleRef => ({
    id,
    greedy,
    u,
    kept,
    ambiguous,
    interval: (i) => [cum[i] / cum[n], cum[i + 1] / cum[n]],
    logprob: raw[id] - lp.lse,
    lse: lp.lse,
    top: lp.top,
  });
  if (isGreedy(p)) {
    kept[am] = 1;
    cum.fill(1, am + 1);
    return result(am, false, true);
  }
  const invT = f(1 / p.temperature);
  const mass = (v: number) => Math.exp((v - m) * invT);
  let ambiguous = false;
  // min-p: keep x >= m + T ln(min_p) (probability >= min_p * the top probability).
  let lo = -Infinity;
  if (p.min_p > 0) {
    lo = f(m + f(p.temperature * Math.log(p.min_p)));
    for (const v of x) if (Math.abs(v - lo) <= SAMPLE_TOL * Math.max(1, Math.abs(lo))) ambiguous = true;
  }
  let sorted = x.filter((v) => v >= lo).sort().reverse();
  // top-k: keep x >= the k-th largest value (ties at the boundary all kept).
  if (p.top_k > 0 && p.top_k < sorted.length) {
    lo = sorted[p.top_k - 1];
    let end = p.top_k;
    while (end < sorted.length && sorted[end] === lo) end++;
    sorted = sorted.subarray(0, end);
  }
  // top-p: the largest value x* whose kept mass at or above it reaches top_p of the total.
  if (p.top_p < 1) {
    const total = sorted.reduce((s, v) => s + mass(v), 0);
    const target = p.top_p * total;
    let acc = 0;
    for (let i = 0; i < sorted.length; ) {
      let j = i;
      let group = 0;
      for (; j < sorted.length && sorted[j] === sorted[i]; j++) group += mass(sorted[j]);
      const before = acc;
      acc += group;
      if (acc >= target || j === sorted.length) {
        if (Math.abs(acc - target) <= SAMPLE_TOL * total || Math.abs(before - target) <= SAMPLE_TOL * total) ambiguous = true;
        lo = sorted[i];
        break;
      }
      i = j;
    }
  }
  for (let i = 0; i < n; i++) {
    kept[i] = x[i] >= lo ? 1 : 0;
    cum[i + 1] = cum[i] + (kept[i] ? mass(x[i]) : 0);
  }
  const target = u * cum[n];
  // Inverse CDF in index order: the first kept token whose cumulative mass passes u * total.
  let id = 0;
  while (id < n - 1 && !(kept[id] && cum[id + 1] > target)) id++;
  if (!kept[id]) id = kept.lastIndexOf(1);
  return result(id, ambiguous, false);
}

/** Samples every row of raw logits [rows, n]. */
export function sampleRef(logits: Float32Array, n: number, seqs: SeqSampling[]): RowSampleRef[] {
  return seqs.map((s, r) => sampleRowRef(logits.subarray(r * n, (r + 1) * n), s));
}
