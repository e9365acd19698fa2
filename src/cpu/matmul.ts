// CPU reference for kernels/matmul.ts and kernels/gemv.ts (the linear layer):
// Y[M, N] = X[M, K] · W[N, K]^T, accumulated in f64. W is f32 data; for f16 weights pass
// the f16-rounded values (cpu/f16.ts roundF16).

export function matmulRef(x: ArrayLike<number>, w: ArrayLike<number>, M: number, N: number, K: number): Float32Array {
  const cols = Array.from({ length: N }, (_, n) => n);
  return matmulRefCols(x, w, M, K, cols);
}

/** Only the columns `cols` of Y: out[m * cols.length + j] = Y[m, cols[j]] (cheap checks of huge W). */
export function matmulRefCols(x: ArrayLike<number>, w: ArrayLike<number>, M: number, K: number, cols: readonly number[]): Float32Array {
  const out = new Float32Array(M * cols.length);
  for (let m = 0; m < M; m++) {
    for (let j = 0; j < cols.length; j++) {
      const wo = cols[j] * K;
      const xo = m * K;
      let s = 0;
      for (let k = 0; k < K; k++) s += x[xo + k] * w[wo + k];
      out[m * cols.length + j] = s;
    }
  }
  return out;
}
