// SwiGLU activation: out = silu(gate) * up, silu(g) = g / (1 + exp(-g)), elementwise over
// [tokens, n] f32. With FUSED, gate and up are the two halves of one [tokens, 2n] tensor
// (llama.cpp-style fused gate_up: gate = [:, 0:n], up = [:, n:2n]).
// Bindings: gate, up, out, params (FUSED: gate_up, out, params).
// VEC4 (host: n % 4 == 0): arrays are read as vec4s and p.total, p.n count vec4s. Each
// invocation handles E elements WG apart (see add.wgsl: vec4 and E = 8 cut lavapipe's
// per-invocation overhead; bench/kernels 64 x 11008: 11.9 -> 1.9 ms).
// Dispatch: plain, ceil(total / (WG * E)) workgroups as a 2-D grid; FUSED,
// (ceil(n / (WG * E)), min(tokens, max per dimension)): the token is the grid's y (looping
// when there are more tokens), so no per-element division by n.

struct Params {
  total: u32,   // tokens * n (elements, or vec4s with VEC4)
  n: u32,       // row length (elements, or vec4s with VEC4)
  tokens: u32,
};

override WG: u32 = 256;
override E: u32 = 1;

#ifdef VEC4
#define VT vec4<f32>
#else
#define VT f32
#endif

#ifdef FUSED
@group(0) @binding(0) var<storage, read> gate_up: array<VT>;
@group(0) @binding(1) var<storage, read_write> out: array<VT>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> gate: array<VT>;
@group(0) @binding(1) var<storage, read> up: array<VT>;
@group(0) @binding(2) var<storage, read_write> out: array<VT>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

fn silu_mul(g: VT, u: VT) -> VT {
  // Clamp the exponent so a very negative g gives g / huge ~ 0 instead of relying on inf.
  return g / (1.0 + exp(min(-g, VT(80.0)))) * u;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
#ifdef FUSED
  let base = wg.x * WG * E + lid;
  for (var t = wg.y; t < p.tokens; t += nwg.y) {
    for (var e = 0u; e < E; e++) {
      let j = base + e * WG;
      if (j >= p.n) { break; }
      let g_at = t * 2u * p.n + j;
      out[t * p.n + j] = silu_mul(gate_up[g_at], gate_up[g_at + p.n]);
    }
  }
#else
  let base = (wg.x + wg.y * nwg.x) * WG * E + lid;
  for (var e = 0u; e < E; e++) {
    let i = base + e * WG;
    if (i >= p.total) { break; }
    out[i] = silu_mul(gate[i], up[i]);
  }
#endif
}
