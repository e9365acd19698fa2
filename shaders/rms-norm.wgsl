// RMS norm over each row: y[r, :] = x[r, :] / sqrt(mean(x[r, :]^2) + eps) * w.
// x, y: [rows, n] f32; w: [n] f32. Also used for Qwen3's per-head q/k norm, where a
// [tokens, heads, head_dim] tensor is simply rows = tokens * heads, n = head_dim.
// Bindings: x, w, [y], params (INPLACE writes y into x). Dispatch: one workgroup per row,
// as a 2-D grid.
// VEC4 (host: n % 4 == 0): x, w, y are read as vec4s (p.n still counts floats). On
// lavapipe, where per-invocation overhead dominates, 64 x 4096 in one run: scalar WG 256
// 0.7 GB/s, vec4 WG 256 1.3, vec4 WG 16 3.2 (the host's CPU choice, kernels/rms-norm.ts).

#include "lib/reduce.wgsl"

struct Params {
  rows: u32,
  n: u32,    // row length (elements)
  eps: f32,
};

override WG: u32 = 256;

#ifdef VEC4
#define VT vec4<f32>
#else
#define VT f32
#endif

#ifdef INPLACE
@group(0) @binding(0) var<storage, read_write> x: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> x: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<storage, read_write> y: array<VT>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let row = wg.x + wg.y * nwg.x;
  // Workgroup-uniform exit: the whole group leaves together, so the barriers stay uniform.
  if (row >= p.rows) { return; }
#ifdef VEC4
  let nv = p.n / 4u;
#else
  let nv = p.n;
#endif
  let base = row * nv;
  var ss = VT(0.0);
  for (var i = lid; i < nv; i += WG) {
    let v = x[base + i];
    ss += v * v;
  }
#ifdef VEC4
  let total = wg_sum(ss.x + ss.y + ss.z + ss.w, lid);
#else
  let total = wg_sum(ss, lid);
#endif
  let scale = 1.0 / sqrt(total / f32(p.n) + p.eps);
  for (var i = lid; i < nv; i += WG) {
#ifdef INPLACE
    x[base + i] = x[base + i] * scale * w[i];
#else
    y[base + i] = x[base + i] * scale * w[i];
#endif
  }
}
