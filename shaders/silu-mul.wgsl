// SwiGLU activation: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)), elementwise over
// [tokens, n] f32. With FUSED, gate and up are the two halves of one [tokens, 2n] tensor
// (llama.cpp-style fused gate_up: gate = [:, 0:n], up = [:, n:2n]).
// Bindings: gate, up, out, params (FUSED: gate_up, out, params).
// Dispatch: ceil(tokens * n / WG) workgroups as a 2-D grid.

struct Params {
  total: u32,  // tokens * n
  n: u32,
};

override WG: u32 = 256;

#ifdef FUSED
@group(0) @binding(0) var<storage, read> gate_up: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> gate: array<f32>;
@group(0) @binding(1) var<storage, read> up: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * nwg.x) * WG + lid;
  if (i >= p.total) { return; }
#ifdef FUSED
  let j = i % p.n;
  let g_at = (i - j) * 2u + j;  // token * 2n + j
  let g = gate_up[g_at];
  let u = gate_up[g_at + p.n];
#else
  let g = gate[i];
  let u = up[i];
#endif
  // Clamp the exponent so a very negative g gives g / huge ~ 0 instead of relying on inf.
  out[i] = g / (1.0 + exp(min(-g, 80.0))) * u;
}
