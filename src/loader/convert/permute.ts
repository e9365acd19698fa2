// llama.cpp's converter reorders the rows of q_proj and k_proj for llama/mistral models
// (LlamaModel.permute). HF checkpoints use "rotate half" RoPE: within a head of width d,
// dimension j pairs with j + d/2. GGML's llama rope (mode 0) pairs adjacent dimensions
// 2j and 2j + 1. Interleaving each head's two halves makes the two agree:
//   new row h·d + 2j + s  <-  old row h·d + s·d/2 + j      (s = 0, 1; j < d/2)
// Qwen2/Qwen3 use NEOX-style rope in llama.cpp and keep HF's order.

/**
 * `w`: row-major [numHeads·headDim, rowLength] (a weight, or a bias with rowLength 1).
 * Returns the permuted copy.
 */
export function permuteRopeRows(w: Float32Array, numHeads: number, rowLength: number): Float32Array {
  const rows = w.length / rowLength;
  if (!Number.isInteger(rows) || rows % numHeads !== 0 || (rows / numHeads) % 2 !== 0) {
    throw new RangeError(`cannot permute ${rows} rows for ${numHeads} heads: need an even head width`);
  }
  const d = rows / numHeads, half = d / 2;
  const out = new Float32Array(w.length);
  for (let h = 0; h < numHeads; h++) {
    for (let j = 0; j < half; j++) {
      for (let s = 0; s < 2; s++) {
        const from = (h * d + s * half + j) * rowLength;
        out.set(w.subarray(from, from + rowLength), (h * d + 2 * j + s) * rowLength);
      }
    }
  }
  return out;
}
