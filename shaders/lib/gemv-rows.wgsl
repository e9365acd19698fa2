// The four-row bookkeeping shared by gemv.wgsl and gemv-quant.wgsl. Both hand 4 rows of
// W, r0 .. r0+3, to a workgroup (entry point main: split-k, then wg_sum4) or to one
// invocation (rows), accumulate acc: array<vec4<f32>, XM> (acc[m][r]: X row m · W row
// r0 + r) and write Y columns n_off + r0 .. n_off + r0 + 3. The including shader defines
// XM, declares `override WG`, y: array<f32> and p with n, n_off, n_rows, and puts
// SG_ARGS / SG_INIT (lib/reduce.wgsl) in main.

#include "lib/reduce4.wgsl"

/** main's first row: workgroup i of the 2-D grid owns rows 4i .. 4i+3. */
fn gemv_r0_wg(wg: vec3u, nwg: vec3u) -> u32 {
  return (wg.x + wg.y * nwg.x) * 4u;
}

/** rows' first row: invocation i of the whole grid owns rows 4i .. 4i+3. */
fn gemv_r0_lane(wg: vec3u, nwg: vec3u, lid: u32) -> u32 {
  return ((wg.x + wg.y * nwg.x) * WG + lid) * 4u;
}

/** Rows r0 .. r0+3 of the chunk. Rows past its end (last workgroup) re-read its last row
 *  and are not stored, so every invocation reaches the reduction. */
fn gemv_rows(r0: u32) -> vec4<u32> {
  let last = p.n_rows - 1u;
  return vec4<u32>(min(r0, last), min(r0 + 1u, last), min(r0 + 2u, last), min(r0 + 3u, last));
}

/** Y[m, chunk columns r0 .. r0+3] = s, rows past the chunk dropped. */
fn gemv_store(m: u32, r0: u32, s: vec4<f32>) {
  for (var r = 0u; r < 4u && r0 + r < p.n_rows; r++) { y[m * p.n + p.n_off + r0 + r] = s[r]; }
}

/** main's epilogue: each X row's four sums over the workgroup, stored by invocation 0.
 *  Every invocation calls it (barriers), from uniform control flow. */
fn gemv_reduce_store(acc: ptr<function, array<vec4<f32>, XM>>, r0: u32, lid: u32) {
  for (var m = 0u; m < XM; m++) {
    let s = wg_sum4((*acc)[m], lid);
    if (lid == 0u) { gemv_store(m, r0, s); }
  }
}

/** rows' epilogue: the invocation's own sums. */
fn gemv_store_all(acc: ptr<function, array<vec4<f32>, XM>>, r0: u32) {
  for (var m = 0u; m < XM; m++) { gemv_store(m, r0, (*acc)[m]); }
}
