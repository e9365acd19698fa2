// CPU reference for kernels/rope.ts, in f64 (Math.cos/sin reduce large angles exactly).

/** x: [tokens, heads, headDim]; positions: [tokens]; invFreq: [rotDim/2] radians per position. */
export function ropeRef(
  x: Float32Array,
  positions: ArrayLike<number>,
  headDim: number,
  invFreq: ArrayLike<number>,
  neox: boolean,
  attnFactor = 1,
): Float32Array {
  const y = Float32Array.from(x);
  const half = invFreq.length;
  const heads = x.length / (positions.length * headDim);
  for (let t = 0; t < positions.length; t++) {
    for (let h = 0; h < heads; h++) {
      const base = (t * heads + h) * headDim;
      for (let i = 0; i < half; i++) {
        const a = positions[t] * invFreq[i];
        const c = Math.cos(a) * attnFactor, s = Math.sin(a) * attnFactor;
        const i0 = neox ? base + i : base + 2 * i;
        const i1 = neox ? i0 + half : i0 + 1;
        y[i0] = x[i0] * c - x[i1] * s;
        y[i1] = x[i0] * s + x[i1] * c;
      }
    }
  }
  return y;
}
