// CPU reference for kernels/argmax.ts: per row of length n, the first index of the maximum.
export function argmaxRef(x: Float32Array, n: number): Uint32Array {
  const out = new Uint32Array(x.length / n);
  for (let r = 0; r < out.length; r++) {
    let best = 0;
    for (let i = 1; i < n; i++) if (x[r * n + i] > x[r * n + best]) best = i;
    out[r] = best;
  }
  return out;
}
