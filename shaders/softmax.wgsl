// Row-wise softmax with max subtraction: y[r, :] = softmax(scale * x[r, :]).
// x, y: [rows, n] f32, n up to a full vocabulary (one workgroup loops over the row).
// scale = 1 / temperature for sampling, 1 otherwise.
// Two passes over the row: an online (max, sum of exp) per invocation, combined with
// wg_max / wg_sum, then the normalized write.
// Bindings: x, [y], params (INPLACE overwrites x). Dispatch: one workgroup per row, 2-D grid.
// VEC4 (host: n % 4 == 0): the row is read as vec4s and the online step runs per vec4
// (one rescale exp per 4 elements instead of per element: 1.25 exp per element in the
// first pass instead of 2). With it and a small workgroup on CPU adapters
// (kernels/rms-norm.ts CPU_ROW_WG) lavapipe's 8 x 151936 went 0.85 -> ~2.5 GB/s. A
// max / exp+sum / scale 3-pass version (1 exp per element) measured no faster there.

#include "lib/reduce.wgsl"

struct Params {
  rows: u32,
  n: u32,  // row length (elements)
  scale: f32,
};

override WG: u32 = 256;

// Finite stand-in for -inf: WGSL need not preserve infinities.
const NEG_BIG: f32 = -3.0e38;

#ifdef VEC4
#define VT vec4<f32>
#else
#define VT f32
#endif

#ifdef INPLACE
@group(0) @binding(0) var<storage, read_write> x: array<VT>;
@group(0) @binding(1) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> x: array<VT>;
@group(0) @binding(1) var<storage, read_write> y: array<VT>;
@group(0) @binding(2) var<uniform> p: Params;
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let row = wg.x + wg.y * nwg.x;
  if (row >= p.rows) { return; }  // workgroup-uniform
#ifdef VEC4
  let nv = p.n / 4u;
#else
  let nv = p.n;
#endif
  let base = row * nv;
  var m = NEG_BIG;
  var s = 0.0;
  for (var i = lid; i < nv; i += WG) {
    let v = x[base + i] * p.scale;
#ifdef VEC4
    let mn = max(m, max(max(v.x, v.y), max(v.z, v.w)));
    let e = exp(v - mn);
    s = s * exp(m - mn) + (e.x + e.y) + (e.z + e.w);
#else
    let mn = max(m, v);
    s = s * exp(m - mn) + exp(v - mn);
#endif
    m = mn;
  }
  let row_max = wg_max(m, lid);
  let total = wg_sum(s * exp(m - row_max), lid);
  let inv = 1.0 / total;
  for (var i = lid; i < nv; i += WG) {
    let e = exp(x[base + i] * p.scale - row_max) * inv;
#ifdef INPLACE
    x[base + i] = e;
#else
    y[base + i] = e;
#endif
  }
}
