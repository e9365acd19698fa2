// CPU reference for kernels/quantize-q8.ts: activations rounded the way ggml's CPU backend
// rounds them before a dot product with a weight (the weight type's vec_dot_type), in the
// same f32 arithmetic. Block formats take 8-bit blocks:
//   q8_0 (32-blocks; legacy q4_0 q5_0 q8_0 weights): d = amax / 127 stored as f16,
//        q = round-half-even(x * (127 / amax)) (ggml-cpu's x86 quantize_row_q8_0);
//   q8_1 (q4_1 q5_1 weights): q8_0's d and q, plus s = f16(d_f32 * Σq) per block;
//   q8_K (256-blocks; K-quant weights): max = the element of largest |x| (first one),
//        iscale = -127 / max, q = min(127, round-half-even(iscale * x)), d = 1 / iscale
//        kept in f32 (quantize_row_q8_K_ref, which the CPU backend uses on x86).
// f16 and bf16 weights take activations rounded to f16 / bf16 (ties to even); f32 weights
// take them as they are.
// Every step is one correctly rounded f32 operation, so JS doubles + Math.fround give
// ggml's bits exactly (f64 division and products of f32 values round to f32 exactly).

import { Q8_BLOCK, q8Words, type Q8Kind } from '../gpu/kernels/quantize-q8.ts';
import { f16BitsToF32, f32ToF16Bits } from './f16.ts';

export { actRoundingOf, q8KindOf, Q8_BLOCK, type ActRounding, type Q8Kind } from '../gpu/kernels/quantize-q8.ts';

const f16Round = (v: number) => f16BitsToF32(f32ToF16Bits(v));

/** x rounded to f16 or bf16 (ties to even), as numbers; bf16 as ggml's fp32_to_bf16. */
export function roundActivations(kind: 'f16' | 'bf16', x: ArrayLike<number>): Float32Array {
  const out = Float32Array.from(x);
  if (kind === 'f16') {
    for (let i = 0; i < out.length; i++) out[i] = f16Round(out[i]);
    return out;
  }
  const u = new Uint32Array(out.buffer);
  for (let i = 0; i < u.length; i++) {
    const v = u[i];
    u[i] = (v & 0x7fffffff) > 0x7f800000 ? ((v & 0xffff0000) | 0x400000) >>> 0 : ((v + 0x7fff + ((v >>> 16) & 1)) & 0xffff0000) >>> 0;
  }
  return out;
}

/** X [M, K] as q8 blocks. */
export interface Q8Rows {
  readonly kind: Q8Kind;
  readonly M: number;
  readonly K: number;
  /** [M, K] quants, -127..127. */
  readonly qs: Int8Array;
  /** [M, K / block] block scales as f32 (q8_0/q8_1: f16-rounded). */
  readonly d: Float32Array;
  /** q8_1: [M, K / 32] f16(d · Σq) per block (f32 d, before its f16 rounding); else empty. */
  readonly s: Float32Array;
}

/** Round half to even (ggml: _mm256_round_ps nearest, and nearest_int's magic add). */
export function roundHalfEven(v: number): number {
  const r = Math.round(v);
  return r - v === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** Quantizes each row of x [M, K] (f32 values; K a multiple of the block) to `kind` blocks. */
export function quantizeQ8(kind: Q8Kind, x: ArrayLike<number>, M: number, K: number): Q8Rows {
  const B = Q8_BLOCK[kind];
  if (K % B !== 0) throw new Error(`quantizeQ8: K=${K} is not a multiple of ${B} (${kind})`);
  const qs = new Int8Array(M * K);
  const d = new Float32Array((M * K) / B);
  const s = new Float32Array(kind === 'q8_1' ? (M * K) / 32 : 0);
  for (let b = 0; b < d.length; b++) {
    const o = b * B;
    let amax = 0;
    let max = 0;
    for (let j = 0; j < B; j++) {
      const a = Math.abs(x[o + j]);
      if (a > amax) [amax, max] = [a, x[o + j]];
    }
    if (kind === 'q8_K') {
      if (amax === 0) continue; // d = 0, quants 0
      const iscale = Math.fround(-127 / max);
      for (let j = 0; j < B; j++) qs[o + j] = Math.min(127, roundHalfEven(Math.fround(iscale * x[o + j])));
      d[b] = Math.fround(1 / iscale);
      continue;
    }
    const df = Math.fround(amax / 127);
    d[b] = f16Round(df);
    const id = amax !== 0 ? Math.fround(127 / amax) : 0;
    let sum = 0;
    for (let j = 0; j < B; j++) sum += qs[o + j] = roundHalfEven(Math.fround(x[o + j] * id));
    if (kind === 'q8_1') s[b] = f16Round(Math.fround(df * sum));
  }
  return { kind, M, K, qs, d, s };
}

/** The values the blocks stand for, d · q, [M, K] (f64: d · q of a q8_K block is not an f32). */
export function dequantizeQ8(r: Q8Rows): Float64Array {
  const B = Q8_BLOCK[r.kind];
  return Float64Array.from(r.qs, (q, i) => r.d[Math.floor(i / B)] * q);
}

/** r in the GPU layout (kernels/quantize-q8.ts): quants packed 4 to a u32 little-endian,
 *  row-major; then the block scales as f32 bits; then (q8_1) s as f32 bits. */
export function q8Pack(r: Q8Rows): Uint32Array {
  const { words, dOffset, sOffset } = q8Words(r.kind, r.M, r.K);
  const out = new Uint32Array(words);
  out.set(new Uint32Array(r.qs.buffer, r.qs.byteOffset, r.qs.length / 4));
  out.set(new Uint32Array(r.d.buffer, r.d.byteOffset, r.d.length), dOffset);
  out.set(new Uint32Array(r.s.buffer, r.s.byteOffset, r.s.length), sOffset);
  return out;
}
