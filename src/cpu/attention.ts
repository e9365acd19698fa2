// CPU reference for kernels/attention.ts, in f64: causal, grouped-query attention of a
// batch's new tokens over a paged cache read through each sequence's block table.
// With `rounding: 'llamacpp'`, the kernel's LLAMACPP variant in f32 arithmetic: ggml-cpu's
// flash attention for small batches (q rounded to f16, the output accumulated key by key
// in an f16 vector, divided by the f32 sum at the end).
import { f16BitsToF32, f32ToF16Bits } from './f16.ts';

const f16 = (v: number) => f16BitsToF32(f32ToF16Bits(v));
const f32 = Math.fround;

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
  /** 'llamacpp': llama.cpp's CPU rounding (see the header); default f64. */
  rounding?: 'f64' | 'llamacpp';
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
      if (shape.rounding === 'llamacpp') {
        llamaCppHead(q.subarray(qo, qo + D), slots.map((slot) => (slot * NKV + kvh) * D), keys, values, f32(scale), out.subarray(qo, qo + D));
        continue;
      }
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

/** One (token, head) of the LLAMACPP variant; rows: offsets of its keys' K/V rows, in order. */
function llamaCppHead(q: Float32Array, rows: number[], keys: Float32Array, values: Float32Array, scale: number, out: Float32Array): void {
  const D = q.length;
  const q16 = Array.from(q, f16);
  const acc = new Float64Array(D);
  let m = -Infinity;
  let l = 0;
  for (const ro of rows) {
    let dot = 0;
    for (let d = 0; d < D; d++) dot += q16[d] * keys[ro + d];
    const s = f32(f32(dot) * scale);
    let vs = 1;
    if (s > m) {
      const ms = m === -Infinity ? 0 : f32(Math.exp(m - s));
      m = s;
      for (let d = 0; d < D; d++) acc[d] = f16(f32(acc[d] * ms));
      l = f32(f32(l * ms) + 1);
    } else {
      vs = f32(Math.exp(s - m));
      l = f32(l + vs);
    }
    // One rounding to f32 (a fused multiply-add), then to f16.
    for (let d = 0; d < D; d++) acc[d] = f16(f32(acc[d] + values[ro + d] * vs));
  }
  const inv = f32(1 / l);
  for (let d = 0; d < D; d++) out[d] = acc[d] * inv;
}
