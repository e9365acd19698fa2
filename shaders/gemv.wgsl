// Y[M, N] = X[M, K] · W[N, K]^T for decode (M = XM, 1..8): each W element is read once
// and used for all M rows of X, so the kernel runs at W's read bandwidth.
// Each workgroup computes 4 rows of W (Y columns; the lanes of a vec4) for every X row:
// its WG invocations split K (16-byte X loads and 4-element W loads when VEC4), then
// reduce the four rows at once with wg_sum4.
// Bindings: x [M, K] f32; w = one chunk of W's rows [n_rows, K] (f32 or f16, see
// lib/weights.wgsl); y [M, N] f32; params. The chunk writes Y columns n_off .. n_off + n_rows.
// Defines: XM (compile-time so the accumulators stay in registers), W_F16, VEC4.
// Dispatch: ceil(n_rows / 4) workgroups, as a 2-D grid.

#include "lib/weights.wgsl"
#include "lib/reduce4.wgsl"

struct Params {
  k: u32,
  n: u32,       // Y's row length (all of W's rows)
  n_off: u32,   // first Y column this chunk writes
  n_rows: u32,  // rows in this chunk of W
};

override WG: u32 = 64;

#ifdef VEC4
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
#else
@group(0) @binding(0) var<storage, read> x: array<f32>;
#endif
@group(0) @binding(1) var<storage, read> w: array<W_ELEM>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let r0 = (wg.x + wg.y * nwg.x) * 4u;
#ifdef VEC4
  let kk = p.k / 4u;  // row length in vec4s
#else
  let kk = p.k;
#endif
  // Rows past the chunk (last workgroup) re-read its last row and are not stored, so
  // every invocation reaches the reduction.
  let last = p.n_rows - 1u;
  let o = vec4<u32>(min(r0, last), min(r0 + 1u, last), min(r0 + 2u, last), min(r0 + 3u, last)) * kk;
  var acc: array<vec4<f32>, XM>;  // acc[m][r]: X row m · W row r0 + r
  for (var i = lid; i < kk; i += WG) {
#ifdef VEC4
    let w0 = w_load4(o.x + i);
    let w1 = w_load4(o.y + i);
    let w2 = w_load4(o.z + i);
    let w3 = w_load4(o.w + i);
    for (var m = 0u; m < XM; m++) {
      let xv = x[m * kk + i];
      acc[m] += vec4<f32>(dot(xv, w0), dot(xv, w1), dot(xv, w2), dot(xv, w3));
    }
#else
    let wv = vec4<f32>(w_load(o.x + i), w_load(o.y + i), w_load(o.z + i), w_load(o.w + i));
    for (var m = 0u; m < XM; m++) { acc[m] += x[m * kk + i] * wv; }
#endif
  }
  for (var m = 0u; m < XM; m++) {
    let s = wg_sum4(acc[m], lid);
    if (lid == 0u) {
      for (var r = 0u; r < 4u && r0 + r < p.n_rows; r++) { y[m * p.n + p.n_off + r0 + r] = s[r]; }
    }
  }
}
