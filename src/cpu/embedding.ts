// CPU reference for kernels/embedding.ts.

import type { QuantDType } from '../gpu/tensor.ts';
import { dequantizeWeight } from './linear-quant.ts';

/** table: [vocab, dim] (f16 tables: pass the f16 values as f32); ids: [tokens]. */
export function embeddingRef(table: Float32Array, dim: number, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) out.set(table.subarray(ids[t] * dim, (ids[t] + 1) * dim), t * dim);
  return out;
}

/**
 * The same over a table in a GGML format (its raw bytes, [vocab, dim]): rows dequantized
 * with the loader's codecs, which round as ggml's dequantize_row does (once per element, in f32).
 */
export function embeddingQuantRef(bytes: Uint8Array, dtype: QuantDType, vocab: number, dim: number, ids: ArrayLike<number>): Float32Array {
  return embeddingRef(dequantizeWeight(dtype, bytes, vocab, dim), dim, ids);
}
