// CPU reference for kernels/silu-mul.ts, in f64.

const silu = (g: number) => g / (1 + Math.exp(-g));

export function siluMulRef(gate: Float32Array, up: Float32Array): Float32Array {
  return gate.map((g, i) => silu(g) * up[i]);
}

/** gateUp: [tokens, 2n] with gate = [:, 0:n], up = [:, n:2n]; returns [tokens, n]. */
export function siluMulFusedRef(gateUp: Float32Array, n: number): Float32Array {
  const out = new Float32Array(gateUp.length / 2);
  for (let i = 0; i < out.length; i++) {
    const j = i % n, at = (i - j) * 2 + j;
    out[i] = silu(gateUp[at]) * gateUp[at + n];
  }
  return out;
}
