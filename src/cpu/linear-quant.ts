// CPU reference for kernels/linear-quant.ts: W's raw GGML bytes dequantized with the
// loader's codecs (byte-exact with ggml), then the f64 linear layer of cpu/matmul.ts.
// Y[M, N] = X[M, K] · W[N, K]^T; the GPU kernels differ from it only by f32 accumulation.

import { dequantize, ggmlTypeByName, type GgmlType } from '../loader/quant/index.ts';
import type { QuantDType } from '../gpu/tensor.ts';
import { matmulRef } from './matmul.ts';

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
