// Y[M, N] = X[M, K] · W[N, K]^T for decode (M = XM, 1..16): each W element is read once
// and used for all M rows of X, so the kernel runs at W's read bandwidth.
// Every invocation accumulates 4 rows of W (Y columns; the lanes of a vec4) for every X
// row. Two layouts of the work over invocations (the host picks one, see kernels/gemv.ts):
//   main (GPUs): a workgroup owns 4 rows; its WG invocations split K, so neighbouring
//     invocations read neighbouring W addresses (coalesced), then the four rows are
//     reduced at once with wg_sum4. Dispatch: ceil(n_rows / 4) workgroups.
//   rows (CPU adapters): each invocation owns 4 rows and walks all of K itself. A CPU
//     adapter (lavapipe) runs 8 invocations as SIMD lanes, so this makes the loop counter
//     and hence every X load uniform (one scalar load, broadcast) instead of a per-lane
//     gather, and needs no reduction (barriers are coroutine switches there). Lavapipe,
//     N = K = 4096, same run: f16 M=1 1.4 -> 2.4..3.9 GB/s (~40% -> 70..110% of the
//     read-bandwidth probe), f32 M=1 2.2 -> 3.6 GB/s, f16 M=8 3.5 -> 6.3 GFLOP/s. Tried
//     and dropped there: 2 or 8 rows per invocation (worse), 8 weights per step (alike
//     at M=1, worse at M=8: register pressure), X staged in workgroup memory (alike).
//     On a GPU this layout would be uncoalesced. Dispatch: ceil(n_rows / (4 * WG)).
// Bindings: x [M, K] f32; w = one chunk of W's rows [n_rows, K] (f32 or f16, see
// lib/weights.wgsl); y [M, N] f32; params. The chunk writes Y columns n_off .. n_off + n_rows.
// Defines: XM (compile-time so the accumulators stay in registers), W_F16, VEC4.
// Both as a 2-D grid.

#include "lib/weights.wgsl"
#include "lib/gemv-rows.wgsl"

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

/** X's and W's row length in loads: vec4s with VEC4, else scalars. */
fn row_len() -> u32 {
#ifdef VEC4
  return p.k / 4u;
#else
  return p.k;
#endif
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let r0 = gemv_r0_wg(wg, nwg);
  let kk = row_len();
  let o = gemv_rows(r0) * kk;
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
  gemv_reduce_store(&acc, r0, lid);
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r0 = gemv_r0_lane(wg, nwg, lid);
  let kk = row_len();
  let o = gemv_rows(r0) * kk;
  var acc: array<vec4<f32>, XM>;  // acc[m][r]: X row m · W row r0 + r
  for (var i = 0u; i < kk; i++) {
#ifdef VEC4
    // Column r of wt is row r0 + r's four weights, so x · wt is four dot products.
    let wt = mat4x4<f32>(w_load4(o.x + i), w_load4(o.y + i), w_load4(o.z + i), w_load4(o.w + i));
    for (var m = 0u; m < XM; m++) { acc[m] += x[m * kk + i] * wt; }
#else
    let wv = vec4<f32>(w_load(o.x + i), w_load(o.y + i), w_load(o.z + i), w_load(o.w + i));
    for (var m = 0u; m < XM; m++) { acc[m] += x[m * kk + i] * wv; }
#endif
  }
  gemv_store_all(&acc, r0);
}
