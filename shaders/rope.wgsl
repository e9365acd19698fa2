// Rotary position embedding, in place on q or k: x [tokens, heads, head_dim] f32.
// Rotates the first rot_dim dims of each head (the rest pass through) by
// angle = pos[token] * inv_freq[i] for pair i in [0, rot_dim/2):
//   default (llama.cpp LLAMA / "normal"): pairs (2i, 2i+1)
//   NEOX (Qwen2/Qwen3, GPT-NeoX):          pairs (i, i + rot_dim/2)
// The frequency table holds frac(inv_freq[i] / 2pi) as 64-bit fixed point (hi, lo), built on
// the host in f64: pos * freq mod 1 is then exact in u32 arithmetic, so the angle is reduced
// to [-pi, pi) with ~4e-7 rad error at any position. A plain f32 pos * inv_freq is already
// ~1e-3 rad off at pos 30000, and WGSL only specifies sin/cos accuracy on [-pi, pi].
// The angle depends on (token, pair) only, so one invocation computes cos/sin once and
// rotates that pair in p.hpi heads (the host picks hpi: all heads on CPU adapters, where
// the trig and the per-invocation overhead dominate: lavapipe 64 tokens x 32 heads x 128,
// same run, 0.7 -> 3.7 GB/s; a few on GPUs, to keep enough invocations at decode).
// Consecutive invocations take consecutive pairs of one head.
// Bindings: x, pos (u32 [tokens]), freqs (vec2u [rot_dim/2]), params.
// Dispatch: ceil(tokens * groups * rot_dim/2 / WG) workgroups as a 2-D grid,
// groups = ceil(heads / hpi).

struct Params {
  items: u32,        // tokens * groups * half
  heads: u32,
  head_dim: u32,
  half: u32,         // rot_dim / 2
  attn_factor: f32,  // scales cos and sin (YaRN mscale); 1 otherwise
  hpi: u32,          // heads per invocation
  groups: u32,       // ceil(heads / hpi)
};

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> pos: array<u32>;
@group(0) @binding(2) var<storage, read> freqs: array<vec2u>;
@group(0) @binding(3) var<uniform> p: Params;

// 2pi / 2^32: one unit of the fixed-point turn fraction, in radians.
const RAD_PER_UNIT: f32 = 1.4629180792671596e-9;

// High 32 bits of the 64-bit product a * b, from 16-bit halves (WGSL has no widening multiply).
fn mul_hi(a: u32, b: u32) -> u32 {
  let a0 = a & 0xffffu;
  let a1 = a >> 16u;
  let b0 = b & 0xffffu;
  let b1 = b >> 16u;
  let p01 = a0 * b1;
  let p10 = a1 * b0;
  let mid = ((a0 * b0) >> 16u) + (p01 & 0xffffu) + (p10 & 0xffffu);
  return a1 * b1 + (p01 >> 16u) + (p10 >> 16u) + (mid >> 16u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let g = (wg.x + wg.y * nwg.x) * WG + lid;
  if (g >= p.items) { return; }
  let i = g % p.half;
  let tg = g / p.half;  // token * groups + group
  let token = tg / p.groups;
  let h0 = (tg % p.groups) * p.hpi;
  let h1 = min(h0 + p.hpi, p.heads);
  let t = pos[token];
  let f = freqs[i];
  // (t * (hi * 2^32 + lo)) mod 2^64, top 32 bits: the angle's turn fraction * 2^32 (wrapping).
  let turns = t * f.x + mul_hi(t, f.y);
  let angle = f32(bitcast<i32>(turns)) * RAD_PER_UNIT;
  let c = cos(angle) * p.attn_factor;
  let s = sin(angle) * p.attn_factor;
  for (var h = h0; h < h1; h++) {
    let base = (token * p.heads + h) * p.head_dim;
#ifdef NEOX
    let i0 = base + i;
    let i1 = i0 + p.half;
#else
    let i0 = base + 2u * i;
    let i1 = i0 + 1u;
#endif
    let x0 = x[i0];
    let x1 = x[i1];
    x[i0] = x0 * c - x1 * s;
    x[i1] = x0 * s + x1 * c;
  }
}
