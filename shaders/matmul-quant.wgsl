// Y[M, N] = X[M, K] · W[N, K]^T for prefill (any M) with W in a GGML block format
// (lib/quant-blocks.wgsl): shaders/matmul.wgsl's tiled GEMM with the W tile dequantized
// to f32 as it is staged into workgroup memory, so the register-blocked inner loop is
// the f32 one and each weight is decoded once per TILE_M rows of X.
// Bindings: x [M, K] f32; w = one chunk of W's rows as raw bytes (array<u32>); y [M, N]
// f32; params. The chunk's rows are Y's columns n_off .. n_off + n_rows.
// Defines: the weight format (W_Q4_0, ...). Needs K % TILE_K == 0 (K is whole blocks of
// 16 or 32 elements; TILE_K = 16).
// Dispatch: (ceil(n_rows / TILE_N), ceil(M / TILE_M)); each invocation owns an 8x8 block of Y.

#include "lib/quant-blocks.wgsl"

struct Params {
  m: u32,
  n: u32,          // Y's row length (all of W's rows, not just this chunk's)
  k: u32,
  n_off: u32,      // first Y column this chunk writes
  n_rows: u32,     // rows in this chunk of W
  row_bytes: u32,  // bytes per row of W
};

override TILE_M: u32 = 128;  // multiple of TM
override TILE_N: u32 = 128;  // multiple of TN
override TILE_K: u32 = 16;   // multiple of 4 dividing K
const TM = 8u;
const TN = 8u;
const TM4 = TM / 4u;
const TN4 = TN / 4u;

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Transposed tiles, k-major: one vec4 read gives 4 rows of X (4 rows of W) at one k.
var<workgroup> xs: array<vec4<f32>, TILE_K * TILE_M / 4u>;
var<workgroup> ws: array<vec4<f32>, TILE_K * TILE_N / 4u>;

/** X[m, k .. k+3], zero past the last row. */
fn x4(m: u32, k: u32) -> vec4<f32> {
  if (m >= p.m) { return vec4<f32>(0.0); }
  return x[(m * p.k + k) / 4u];
}

/** W[n, k .. k+3] of this chunk, dequantized; zero past its last row. */
fn w4(n: u32, k: u32) -> vec4<f32> {
  if (n >= p.n_rows) { return vec4<f32>(0.0); }
  return q_dq4(n * p.row_bytes, k);
}

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
  // X loads as 4x4 blocks (4 rows x 4 k), transposed in registers so every
  // workgroup-memory write is a whole vec4. W is dequantized one row x 4 k at a time and
  // stored component-wise: a single q_dq4 call site keeps the shader small (each call
  // site of a block decoder costs seconds of compile time on lavapipe).
  let kb = TILE_K / 4u;
  let xblocks = (TILE_M / 4u) * kb;
  let wquads = TILE_N * kb;
  var acc: array<vec4<f32>, TM * TN4>;  // acc[i * TN4 + q][c]: row i, column 4q + c
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    for (var b = li; b < xblocks; b += threads) {
      let r = (b / kb) * 4u;
      let k = (b % kb) * 4u;
      let v = array<vec4<f32>, 4>(x4(m0 + r, k0 + k), x4(m0 + r + 1u, k0 + k), x4(m0 + r + 2u, k0 + k), x4(m0 + r + 3u, k0 + k));
      for (var j = 0u; j < 4u; j++) {
        xs[((k + j) * TILE_M + r) / 4u] = vec4<f32>(v[0][j], v[1][j], v[2][j], v[3][j]);
      }
    }
    for (var b = li; b < wquads; b += threads) {
      let r = b / kb;
      let k = (b % kb) * 4u;
      let v = w4(n0 + r, k0 + k);
      for (var j = 0u; j < 4u; j++) { ws[((k + j) * TILE_N + r) / 4u][r % 4u] = v[j]; }
    }
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
