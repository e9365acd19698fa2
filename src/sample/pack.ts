// Packs a batch's sampling state into the words shaders/sample*.wgsl read: one `Row` per
// sequence and one `Edit` per (sequence, token) that logit_bias or a penalty changes.
// Pure data, no GPU, so the layout is testable on its own.

import { isGreedy, seedWords } from './params.ts';
import { logitEdits, type SeqSampling } from './sequence.ts';

/** u32 words per Row / Edit struct (keep in sync with shaders/sample.wgsl). */
export const ROW_WORDS = 12;
export const EDIT_WORDS = 6;

export const ROW_GREEDY = 1;
export const ROW_LOGPROBS = 2;
export const ROW_MIN_P = 4;

export interface PackedBatch {
  rows: Uint32Array<ArrayBuffer>;
  edits: Uint32Array<ArrayBuffer>;
  numEdits: number;
  /** Per row: top logprobs wanted (0 when the row wants none, or no logprobs). */
  topN: number[];
  /** Top-logprob slots per row in the output (the largest topN). */
  kmax: number;
  anyLogprobs: boolean;
  allGreedy: boolean;
}

/** Row layout: flags, inv_t, min_p_off, top_k, top_p, seed_lo, seed_hi, step, edit_start,
 *  edit_count, top_n, pad. Edit layout: idx (row * n + id), bias, mul_pos, mul_neg, sub, orig. */
export function packBatch(seqs: readonly SeqSampling[], n: number): PackedBatch {
  const rows = new Uint32Array(seqs.length * ROW_WORDS);
  const rowsF = new Float32Array(rows.buffer);
  const perSeq = seqs.map((s) => logitEdits(s.params, s.counts));
  const numEdits = perSeq.reduce((a, e) => a + e.length, 0);
  const edits = new Uint32Array(Math.max(numEdits, 1) * EDIT_WORDS);
  const editsF = new Float32Array(edits.buffer);
  const topN: number[] = [];
  let e = 0;
  seqs.forEach((s, r) => {
    const p = s.params;
    const o = r * ROW_WORDS;
    const greedy = isGreedy(p);
    const wantsLp = p.logprobs;
    topN.push(wantsLp ? Math.min(p.top_logprobs, n) : 0);
    rows[o] = (greedy ? ROW_GREEDY : 0) | (wantsLp ? ROW_LOGPROBS : 0) | (p.min_p > 0 ? ROW_MIN_P : 0);
    rowsF[o + 1] = greedy ? 1 : 1 / p.temperature;
    rowsF[o + 2] = p.min_p > 0 ? p.temperature * Math.log(p.min_p) : 0;
    rows[o + 3] = p.top_k > 0 && p.top_k < n ? p.top_k : 0;
    rowsF[o + 4] = p.top_p;
    const [lo, hi] = seedWords(s.seed);
    rows[o + 5] = lo;
    rows[o + 6] = hi;
    rows[o + 7] = s.step >>> 0;
    rows[o + 8] = e;
    rows[o + 9] = perSeq[r].length;
    rows[o + 10] = topN[r];
    for (const ed of perSeq[r]) {
      if (ed.id >= n) throw new Error(`token ${ed.id} in logit_bias or the history is outside the vocabulary (${n})`);
      const w = e * EDIT_WORDS;
      edits[w] = r * n + ed.id;
      editsF[w + 1] = ed.bias;
      editsF[w + 2] = ed.mulPos;
      editsF[w + 3] = ed.mulNeg;
      editsF[w + 4] = ed.sub;
      e++;
    }
  });
  return {
    rows,
    edits,
    numEdits,
    topN,
    kmax: Math.max(0, ...topN),
    anyLogprobs: seqs.some((s) => s.params.logprobs),
    allGreedy: seqs.every((s) => isGreedy(s.params)),
  };
}
