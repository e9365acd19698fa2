// CPU reference for kernels/rms-norm.ts: ggml-cpu's rms_norm followed by its mul by the
// weight, with the same roundings (ops.cpp ggml_compute_forward_rms_norm_f32): each square
// rounded to f32 and summed in f64, the mean rounded to f32, then f32 steps, each
// correctly rounded. Math.fround of an f64 sqrt or quotient of f32 values is the correctly
// rounded f32 result (53 >= 2 * 24 + 2 bits, so the double rounding is harmless).

const f = Math.fround;

/** One row in place: x[off .. off + n) = f32(f32(x * scale) * w), with ggml's scale. */
export function rmsNormRowGgml(x: Float32Array | Float64Array, w: ArrayLike<number>, eps: number, off = 0, n = w.length): void {
  let sum = 0;
  for (let i = 0; i < n; i++) sum += f(x[off + i] * x[off + i]);
  const mean = f(sum / n);
  const scale = f(1 / f(Math.sqrt(f(mean + f(eps)))));
  for (let i = 0; i < n; i++) x[off + i] = f(f(x[off + i] * scale) * w[i]);
}

/** x: [rows, n] row-major f32, w: [n]; returns y: [rows, n]. */
export function rmsNormRef(x: Float32Array, w: Float32Array, eps: number): Float32Array {
  const y = Float32Array.from(x);
  for (let base = 0; base < x.length; base += w.length) rmsNormRowGgml(y, w, eps, base);
  return y;
}
