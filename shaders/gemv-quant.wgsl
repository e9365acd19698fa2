// Y[M, N] = X[M, K] · W[N, K]^T for decode (M = XM, 1..16) with W in a GGML block format
// (lib/quant-blocks.wgsl), dequantized in registers: each weight byte is read once and
// used for all M rows of X, so the kernel runs at the quantized weight's read bandwidth.
// An invocation decodes one unit (32 elements; 16 for bf16) of 4 rows of W at a time and
// accumulates those 4 rows (the lanes of a vec4) for every X row. Two layouts of the work
// (the host picks one, see kernels/linear-quant.ts; the same split as shaders/gemv.wgsl):
//   main (GPUs): a workgroup owns 4 rows; its WG invocations take the units in turn, so
//     neighbouring invocations read neighbouring bytes, then the four rows are reduced
//     at once with wg_sum4. Dispatch: ceil(n_rows / 4) workgroups.
//   rows (CPU adapters): each invocation owns 4 rows and walks all their units: the X
//     loads are uniform across lavapipe's SIMD lanes (one scalar load instead of a
//     per-lane loop) and there is no reduction (barriers are coroutine switches there).
//     Lavapipe, 4096x4096 M=1, CPU time vs main with 16 invocations: Q4_0 12.7 -> 10.5
//     ms, Q8_0 25.7 -> 21.2, Q4_K 18.4 -> 14.4, Q6_K 21.4 -> 18.5. Uncoalesced on a GPU.
//     Dispatch: ceil(n_rows / (4 * WG)) workgroups.
// X_Q8: X comes as q8 blocks (shaders/quantize-q8.wgsl) and each unit's product is
// ggml's: the raw quants of W times X's int8 quants, summed exactly in f32 per 16-element
// half (|sum| < 2^24), less the zero point (Q_Z · Σ qx), then scaled by W's half scale and
// X's block scale; formats with a separate min add it from Σ qx or q8_1's s.
// Bindings: x [M, K] f32, or xq (X_Q8: the quantize-q8 words); w = one chunk of W's rows
// as raw bytes (array<u32>); y [M, N] f32; params. The chunk writes Y columns
// n_off .. n_off + n_rows.
// Defines: XM (compile-time so the accumulators stay in registers), the weight format
// (W_Q4_0, ...; see lib/quant-blocks.wgsl), X_Q8. Both dispatch as a 2-D grid.
// Needs K % QU_ELEMS == 0.

#include "lib/quant-blocks.wgsl"
#include "lib/gemv-rows.wgsl"

struct Params {
  k: u32,
  n: u32,          // Y's row length (all of W's rows)
  n_off: u32,      // first Y column this chunk writes
  n_rows: u32,     // rows in this chunk of W
  row_bytes: u32,  // bytes per row of W (whole blocks)
  xd_off: u32,     // X_Q8: word offset of X's block scales in xq
  xs_off: u32,     // X_Q8 with Q_MIN_BLOCK: word offset of X's q8_1 sums
};

override WG: u32 = 64;

#ifdef X_Q8
@group(0) @binding(0) var<storage, read> xq: array<u32>;
#else
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
#endif
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

#ifdef X_Q8
/** Word i of xq: four int8 quants of X, as f32. */
fn xq4(i: u32) -> vec4<f32> {
  return q_i8x4(xq[i]);
}

/** Adds unit u of rows rb (their byte offsets) times every X row to acc (see header). */
fn acc_unit(acc: ptr<function, array<vec4<f32>, XM>>, rb: vec4<u32>, u: u32) {
  let kk = p.k / 4u;  // X row length in words
  let q0 = q_unit(rb.x, u);
  let q1 = q_unit(rb.y, u);
  let q2 = q_unit(rb.z, u);
  let q3 = q_unit(rb.w, u);
  // Per X row: Σ q·qx of the lo and hi halves (lanes: the 4 W rows) and Σ qx of each half.
  // Zeroed explicitly: a bare `var` declared in a loop body kept its old values on
  // lavapipe (Dawn's SPIR-V seems to zero such a var once, at function entry).
  var pl = array<vec4<f32>, XM>();
  var ph = array<vec4<f32>, XM>();
  var sl = array<f32, XM>();
  var sh = array<f32, XM>();
  for (var i = 0u; i < 4u; i++) {
    // Column r of wl is row r's four raw quants, so x · wl is four integer dot products.
    let wl = mat4x4<f32>(q_qf(q0.lo[i]), q_qf(q1.lo[i]), q_qf(q2.lo[i]), q_qf(q3.lo[i]));
    let wh = mat4x4<f32>(q_qf(q0.hi[i]), q_qf(q1.hi[i]), q_qf(q2.hi[i]), q_qf(q3.hi[i]));
    let il = q_xi(u, i);
    let ih = q_xi(u, i + 4u);
    for (var m = 0u; m < XM; m++) {
      let a = xq4(m * kk + il);
      let b = xq4(m * kk + ih);
      pl[m] += a * wl;
      ph[m] += b * wh;
      sl[m] += dot(a, vec4<f32>(1.0));
      sh[m] += dot(b, vec4<f32>(1.0));
    }
  }
  let s_lo = vec4<f32>(q0.s.x, q1.s.x, q2.s.x, q3.s.x);
  let s_hi = vec4<f32>(q0.s.y, q1.s.y, q2.s.y, q3.s.y);
  let o_lo = vec4<f32>(q0.o.x, q1.o.x, q2.o.x, q3.o.x);
  let o_hi = vec4<f32>(q0.o.y, q1.o.y, q2.o.y, q3.o.y);
  for (var m = 0u; m < XM; m++) {
    let e = m * p.k + u * QU_ELEMS;  // the unit's first element in X
    let dx = bitcast<f32>(xq[p.xd_off + e / Q_XB]);
    var t = s_lo * (pl[m] - Q_Z * sl[m]) + s_hi * (ph[m] - Q_Z * sh[m]);
#ifdef Q_MIN_SUB
    t += o_lo * sl[m] + o_hi * sh[m];
#endif
    (*acc)[m] += dx * t;
#ifdef Q_MIN_BLOCK
    (*acc)[m] += o_lo * bitcast<f32>(xq[p.xs_off + e / 32u]);
#endif
  }
}
#else
/** Adds unit u of rows rb (their byte offsets) times every X row to acc. */
fn acc_unit(acc: ptr<function, array<vec4<f32>, XM>>, rb: vec4<u32>, u: u32) {
  let kk = p.k / 4u;  // X row length in vec4s
  let q0 = q_unit(rb.x, u);
  let q1 = q_unit(rb.y, u);
  let q2 = q_unit(rb.z, u);
  let q3 = q_unit(rb.w, u);
  for (var i = 0u; i < QU_V4; i++) {
    // Column r of wt is row r's (rb[r]'s) four weights, so x · wt is four dot products.
    let wt = mat4x4<f32>(q_w4(q0, i), q_w4(q1, i), q_w4(q2, i), q_w4(q3, i));
    let xi = q_xi(u, i);
    for (var m = 0u; m < XM; m++) { (*acc)[m] += x[m * kk + xi] * wt; }
  }
}
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let r0 = gemv_r0_wg(wg, nwg);
  let rb = gemv_rows(r0) * p.row_bytes;
  var acc: array<vec4<f32>, XM>;  // acc[m][r]: X row m · W row r0 + r
  for (var u = lid; u < p.k / QU_ELEMS; u += WG) { acc_unit(&acc, rb, u); }
  gemv_reduce_store(&acc, r0, lid);
}

@compute @workgroup_size(WG)
fn rows(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let r0 = gemv_r0_lane(wg, nwg, lid);
  let rb = gemv_rows(r0) * p.row_bytes;
  var acc: array<vec4<f32>, XM>;  // acc[m][r]: X row m · W row r0 + r
  for (var u = 0u; u < p.k / QU_ELEMS; u++) { acc_unit(&acc, rb, u); }
  gemv_store_all(&acc, r0);
}
