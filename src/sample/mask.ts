// Token masks of constrained rows (grammar-guided decoding, src/constrain): the words
// shaders/sample-mask.wgsl reads, and the CPU reference the kernel is held to. A mask is
// ceil(n / 32) u32 words over a row of n logits; bit (id & 31) of word (id >> 5) set =
// token `id` allowed. A cleared bit replaces the logit with MASKED_LOGIT.

/** What a disallowed logit becomes (see shaders/sample-mask.wgsl for why not -inf). */
export const MASKED_LOGIT = -1e30;

/** u32 words of a mask over `n` logits. */
export function maskWords(n: number): number {
  return Math.ceil(n / 32);
}

export interface PackedMasks {
  /** The masked rows' batch indices [count], then their masks [count, words]. */
  words: Uint32Array<ArrayBuffer>;
  count: number;
}

/** Packs the rows that carry a mask (`masks[r]` undefined: row r is not masked); null when none is. */
export function packMasks(masks: readonly (Uint32Array | undefined)[], n: number): PackedMasks | null {
  const words = maskWords(n);
  const rows: number[] = [];
  masks.forEach((m, r) => {
    if (!m) return;
    if (m.length !== words) throw new Error(`sample: row ${r}'s mask has ${m.length} words; ${n} logits need ${words}`);
    rows.push(r);
  });
  if (rows.length === 0) return null;
  const out = new Uint32Array(rows.length * (words + 1));
  out.set(rows);
  rows.forEach((r, k) => out.set(masks[r]!, rows.length + k * words));
  return { words: out, count: rows.length };
}

/** CPU reference of sample-mask.wgsl: masks one row of logits in place. */
export function applyMaskRef(row: Float32Array, mask: Uint32Array): void {
  for (let i = 0; i < row.length; i++) {
    if ((mask[i >>> 5] & (1 << (i & 31))) === 0) row[i] = MASKED_LOGIT;
  }
}
