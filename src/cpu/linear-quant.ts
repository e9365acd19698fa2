// CPU reference for kernels/linear-quant.ts: W's raw GGML bytes dequantized with the
// loader's codecs (byte-exact with ggml), then the f64 linear layer of cpu/matmul.ts.
// Y[M, N] = X[M, K] · W[N, K]^T; the GPU kernels differ from it only by f32 accumulation.
// linearQ8Ref: the same with X first rounded as ggml rounds it (the 'q8' activations).

import { dequantize, ggmlTypeByName, type GgmlType } from '../loader/quant/index.ts';
import type { QuantDType } from '../gpu/tensor.ts';
import { f16BitsToF32 } from './f16.ts';
import { matmulRef } from './matmul.ts';
import { actRoundingOf, dequantizeQ8, quantizeQ8, roundActivations } from './quantize-q8.ts';

/** The ggml type id of a quant dtype ('q4_k' → GgmlType.Q4_K). */
export function ggmlTypeOf(dtype: QuantDType): GgmlType {
  const t = ggmlTypeByName(dtype);
  if (t === undefined) throw new Error(`no ggml type named ${dtype}`);
  return t;
}

/** W [N, K] as f32 from its raw bytes. */
export function dequantizeWeight(dtype: QuantDType, bytes: Uint8Array, N: number, K: number): Float32Array {
  return dequantize(ggmlTypeOf(dtype), bytes, N * K);
}

/** Y [M, N] = X [M, K] · dequantize(W)ᵀ, accumulated in f64. */
export function linearQuantRef(x: ArrayLike<number>, wBytes: Uint8Array, dtype: QuantDType, M: number, N: number, K: number): Float32Array {
  return matmulRef(x, dequantizeWeight(dtype, wBytes, N, K), M, N, K);
}

/**
 * The linear layer as ggml's CPU backend computes it (kernels/linear-quant.ts with acts):
 * X rounded to W's activation format (cpu/quantize-q8.ts: q8 blocks, or bf16 values for
 * bf16 W), then the f64 product with the exactly dequantized W. ggml sums each block's
 * integer products exactly and scales them in f32; this sums the same terms in f64.
 */
export function linearQ8Ref(x: ArrayLike<number>, wBytes: Uint8Array, dtype: QuantDType, M: number, N: number, K: number): Float32Array {
  const kind = actRoundingOf(dtype);
  const w = dequantizeWeight(dtype, wBytes, N, K);
  if (kind === 'bf16') return matmulRef(roundActivations('bf16', x), w, M, N, K);
  if (kind === 'f16' || !kind) return matmulRef(x, w, M, N, K);
  const q = quantizeQ8(kind, x, M, K);
  if (kind !== 'q8_1') return matmulRef(dequantizeQ8(q), w, M, N, K);
  // q4_1 / q5_1 (x = d·q + m): ggml adds each block's min times q8_1's s = f16(d_x·Σq_x),
  // not times the sum of the block's rounded activations.
  const blockBytes = dtype === 'q4_1' ? 20 : 24;
  const mins = Float32Array.from({ length: (N * K) / 32 }, (_, b) => f16BitsToF32(wBytes[b * blockBytes + 2] | (wBytes[b * blockBytes + 3] << 8)));
  const y = matmulRef(dequantizeQ8(q), w.map((v, i) => v - mins[Math.floor(i / 32)]), M, N, K);
  for (let m = 0; m < M; m++) {
    for (let n = 0; n < N; n++) {
      let s = 0;
      for (let b = 0; b < K / 32; b++) s += mins[(n * K) / 32 + b] * q.s[(m * K) / 32 + b];
      y[m * N + n] += s;
    }
  }
  return y;
}
