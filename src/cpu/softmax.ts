// CPU reference for kernels/softmax.ts, in f64.

/** x: [rows, n] row-major; returns softmax(scale * x) per row. */
export function softmaxRef(x: Float32Array, n: number, scale = 1): Float32Array {
  const y = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += n) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, x[base + i] * scale);
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(x[base + i] * scale - m);
    for (let i = 0; i < n; i++) y[base + i] = Math.exp(x[base + i] * scale - m) / s;
  }
  return y;
}
