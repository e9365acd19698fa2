// The tiled GEMM Y = X · W^T shared by matmul.wgsl (f32/f16 W) and matmul-quant.wgsl
// (block-format W): the tile sizes, the workgroup-memory tiles, the register-blocked
// inner loop and the store. Only loading a K-slice of the tiles differs, so the including
// shader supplies it:
//   fn mm_stage(m0: u32, n0: u32, k0: u32, li: u32, threads: u32)
// fills xs (X rows m0 .. m0+TILE_M) and ws (chunk rows n0 .. n0+TILE_N of W) for
// k0 .. k0+TILE_K, zero outside the matrices, with the `threads` invocations of the
// workgroup (li: this one's index). It also declares y: array<f32> and p with m, n, k,
// n_off, n_rows (see either Params).
// Entry point `main`: each invocation owns a TM x TN block of Y. Dispatch
// (ceil(n_rows / TILE_N), ceil(M / TILE_M)).
// MM_SLICE (matmul-quant's q8 activations): xs and ws hold integers (X's int8 quants, W's
// quants minus their zero point) whose products sum exactly in f32 over a run of MM_RUN
// (a multiple of TILE_K; |sum| < 2^24) K-elements that share every scale, and mm_stage
// also fills, at a run's first slice, xsc[row] = (dx, mx) and wsc[row] = (s, o). Each
// run's sums are then scaled into Y:
//   acc += (dx * s) * Σ qx·(q - Q_Z)  [+ o * mx when the format has a separate min]
// which is ggml's integer dot product per block, scaled by both blocks' scales.

override TILE_M: u32 = 128;  // multiple of TM
override TILE_N: u32 = 128;  // multiple of TN
override TILE_K: u32 = 16;   // multiple of 4 (matmul-quant: dividing K)
// Register block: 8x8 halves the workgroup-memory reads per FMA compared with 4x4
// (4 vec4 reads per 64 FMAs).
const TM = 8u;
const TN = 8u;
const TM4 = TM / 4u;
const TN4 = TN / 4u;

// Transposed tiles, k-major: one vec4 read gives 4 rows of X (4 rows of W) at one k.
var<workgroup> xs: array<vec4<f32>, TILE_K * TILE_M / 4u>;
var<workgroup> ws: array<vec4<f32>, TILE_K * TILE_N / 4u>;
#ifdef MM_SLICE
var<workgroup> xsc: array<vec2<f32>, TILE_M>;
var<workgroup> wsc: array<vec2<f32>, TILE_N>;
#endif

/** Y[m + i, chunk column n + j] = v, inside the matrix only. */
fn store(m: u32, n: u32, i: u32, j: u32, v: f32) {
  if (m + i < p.m && n + j < p.n_rows) { y[(m + i) * p.n + p.n_off + n + j] = v; }
}

/** acc += the products of this K-slice's tiles (X rows lid.y*TM.., W rows lid.x*TN..). */
fn mm_products(acc: ptr<function, array<vec4<f32>, TM * TN4>>, lid: vec3u) {
  for (var k = 0u; k < TILE_K; k++) {
    var a: array<vec4<f32>, TM4>;
    var b: array<vec4<f32>, TN4>;
    for (var q = 0u; q < TM4; q++) { a[q] = xs[(k * TILE_M + lid.y * TM) / 4u + q]; }
    for (var q = 0u; q < TN4; q++) { b[q] = ws[(k * TILE_N + lid.x * TN) / 4u + q]; }
    for (var i = 0u; i < TM; i++) {
      let ai = a[i / 4u][i % 4u];
      for (var q = 0u; q < TN4; q++) { (*acc)[i * TN4 + q] += ai * b[q]; }
    }
  }
}

#ifdef MM_SLICE
/** acc += the slice's exact integer sums `part` times both sides' scales (see header). */
fn mm_slice_end(acc: ptr<function, array<vec4<f32>, TM * TN4>>, part: ptr<function, array<vec4<f32>, TM * TN4>>, lid: vec3u) {
  for (var q = 0u; q < TN4; q++) {
    let c = lid.x * TN + 4u * q;
    let s = vec4<f32>(wsc[c].x, wsc[c + 1u].x, wsc[c + 2u].x, wsc[c + 3u].x);
    let o = vec4<f32>(wsc[c].y, wsc[c + 1u].y, wsc[c + 2u].y, wsc[c + 3u].y);
    for (var i = 0u; i < TM; i++) {
      let x = xsc[lid.y * TM + i];
      var v = (x.x * s) * (*part)[i * TN4 + q];
#ifdef Q_MIN
      v += o * x.y;
#endif
      (*acc)[i * TN4 + q] += v;
    }
  }
}
#endif

@compute @workgroup_size(TILE_N / TN, TILE_M / TM)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wg.y * TILE_M;
  let n0 = wg.x * TILE_N;
  let threads = (TILE_M / TM) * (TILE_N / TN);
  var acc: array<vec4<f32>, TM * TN4>;  // acc[i * TN4 + q][c]: row i, column 4q + c
#ifdef MM_SLICE
  var part: array<vec4<f32>, TM * TN4>;  // the current run's integer sums
#endif
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    mm_stage(m0, n0, k0, li, threads);
    workgroupBarrier();
#ifdef MM_SLICE
    mm_products(&part, lid);
    if ((k0 + TILE_K) % MM_RUN == 0u) {
      mm_slice_end(&acc, &part, lid);
      part = array<vec4<f32>, TM * TN4>();
    }
#else
    mm_products(&acc, lid);
#endif
    workgroupBarrier();
  }
  let m = m0 + lid.y * TM;
  let n = n0 + lid.x * TN;
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { store(m, n, i, j, acc[i * TN4 + j / 4u][j % 4u]); }
  }
}
