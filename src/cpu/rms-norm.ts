// CPU reference for kernels/rms-norm.ts, accumulated in f64.

/** x: [rows, n] row-major, w: [n]; returns y: [rows, n]. */
export function rmsNormRef(x: Float32Array, w: Float32Array, eps: number): Float32Array {
  const n = w.length;
  const y = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += n) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[base + i] * x[base + i];
    const scale = 1 / Math.sqrt(ss / n + eps);
    for (let i = 0; i < n; i++) y[base + i] = x[base + i] * scale * w[i];
  }
  return y;
}
