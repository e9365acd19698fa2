// CPU reference for kernels/attention.ts, in f64: causal, grouped-query attention of a
// batch's new tokens over a paged cache read through each sequence's block table.

/** What the reference needs of a batch (a BatchInfo from src/gpu/kv-batch.ts fits). */
export interface AttentionRefBatch {
  numTokens: number;
  blockSize: number;
  maxBlocksPerSeq: number;
  tokenPos: ArrayLike<number>;
  tokenSeq: ArrayLike<number>;
  seqContextLen: ArrayLike<number>;
  blockTables: ArrayLike<number>;
}

export interface AttentionRefShape {
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Default 1 / sqrt(headDim). */
  scale?: number;
}

/**
 * q: [T, numHeads, headDim]; keys, values: [numSlots, numKvHeads, headDim] by physical
 * slot (a dequantized pool). Token t of sequence s attends to positions
 * 0 .. min(pos[t], ctx[s] - 1); head h reads kv head floor(h / (numHeads / numKvHeads)).
 * Returns out: [T, numHeads, headDim].
 */
export function attentionRef(
  q: Float32Array,
  keys: Float32Array,
  values: Float32Array,
  batch: AttentionRefBatch,
  shape: AttentionRefShape,
): Float32Array {
  const { numHeads: NH, numKvHeads: NKV, headDim: D } = shape;
  const scale = shape.scale ?? 1 / Math.sqrt(D);
  const group = NH / NKV;
  const { blockSize: bs, maxBlocksPerSeq: M } = batch;
  const out = new Float32Array(batch.numTokens * NH * D);
  const acc = new Float64Array(D);
  for (let t = 0; t < batch.numTokens; t++) {
    const s = batch.tokenSeq[t];
    const nkeys = Math.min(batch.tokenPos[t] + 1, batch.seqContextLen[s]);
    const slots = Array.from({ length: nkeys }, (_, k) => batch.blockTables[s * M + Math.floor(k / bs)] * bs + (k % bs));
    for (let h = 0; h < NH; h++) {
      const kvh = Math.floor(h / group);
      const qo = (t * NH + h) * D;
      const scores = slots.map((slot) => {
        const ko = (slot * NKV + kvh) * D;
        let dot = 0;
        for (let d = 0; d < D; d++) dot += q[qo + d] * keys[ko + d];
        return dot * scale;
      });
      const mx = Math.max(...scores);
      acc.fill(0);
      let sum = 0;
      scores.forEach((sc, k) => {
        const p = Math.exp(sc - mx);
        sum += p;
        const vo = (slots[k] * NKV + kvh) * D;
        for (let d = 0; d < D; d++) acc[d] += p * values[vo + d];
      });
      for (let d = 0; d < D; d++) out[qo + d] = acc[d] / sum;
    }
  }
  return out;
}
