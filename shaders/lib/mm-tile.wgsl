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

/** Y[m + i, chunk column n + j] = v, inside the matrix only. */
fn store(m: u32, n: u32, i: u32, j: u32, v: f32) {
  if (m + i < p.m && n + j < p.n_rows) { y[(m + i) * p.n + p.n_off + n + j] = v; }
}

@compute @workgroup_size(TILE_N / TN, TILE_M / TM)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u,
        @builtin(local_invocation_index) li: u32) {
  let m0 = wg.y * TILE_M;
  let n0 = wg.x * TILE_N;
  let threads = (TILE_M / TM) * (TILE_N / TN);
  var acc: array<vec4<f32>, TM * TN4>;  // acc[i * TN4 + q][c]: row i, column 4q + c
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    mm_stage(m0, n0, k0, li, threads);
    workgroupBarrier();
    for (var k = 0u; k < TILE_K; k++) {
      var a: array<vec4<f32>, TM4>;
      var b: array<vec4<f32>, TN4>;
      for (var q = 0u; q < TM4; q++) { a[q] = xs[(k * TILE_M + lid.y * TM) / 4u + q]; }
      for (var q = 0u; q < TN4; q++) { b[q] = ws[(k * TILE_N + lid.x * TN) / 4u + q]; }
      for (var i = 0u; i < TM; i++) {
        let ai = a[i / 4u][i % 4u];
        for (var q = 0u; q < TN4; q++) { acc[i * TN4 + q] += ai * b[q]; }
      }
    }
    workgroupBarrier();
  }
  let m = m0 + lid.y * TM;
  let n = n0 + lid.x * TN;
  for (var i = 0u; i < TM; i++) {
    for (var j = 0u; j < TN; j++) { store(m, n, i, j, acc[i * TN4 + j / 4u][j % 4u]); }
  }
}
