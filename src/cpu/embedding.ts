// CPU reference for kernels/embedding.ts.

/** table: [vocab, dim] (f16 tables: pass the f16 values as f32); ids: [tokens]. */
export function embeddingRef(table: Float32Array, dim: number, ids: ArrayLike<number>): Float32Array {
  const out = new Float32Array(ids.length * dim);
  for (let t = 0; t < ids.length; t++) out.set(table.subarray(ids[t] * dim, (ids[t] + 1) * dim), t * dim);
  return out;
}
