// Y[M, N] = X[M, K] · W[N, K]^T for prefill (M large): the linear layer as a GEMM.
// Bindings: x [M, K] f32; w = one chunk of W's rows, [n_rows, K] (f32 or f16, see
// lib/weights.wgsl); y [M, N] f32; params. The chunk's rows are Y's columns
// n_off .. n_off + n_rows, so a weight split across buffers is one dispatch per chunk.
// Defines: W_F16 (f16 weights), VEC4 (K % 4 == 0: 16-byte loads of X and W along K).
// Entry points:
//   main:  X and W tiles staged through workgroup memory TILE_K at a time; each
//          invocation owns an 8x8 block of Y. Dispatch (ceil(n_rows / TILE_N), ceil(M / TILE_M)).
//   naive: a 4x4 block per invocation read straight from global memory, 16x16
//          invocations per workgroup (`basert doctor`'s baseline). Dispatch
//          (ceil(n_rows / 64), ceil(M / 64)).

#include "lib/weights.wgsl"

struct Params {
  m: u32,
  n: u32,       // Y's row length (all of W's rows, not just this chunk's)
  k: u32,
  n_off: u32,   // first Y column this chunk writes
  n_rows: u32,  // rows in this chunk of W
};

override TILE_M: u32 = 128;  // multiple of TM
override TILE_N: u32 = 128;  // multiple of TN
override TILE_K: u32 = 16;   // multiple of 4
// Register block of the tiled kernel: 8x8 halves the workgroup-memory reads per FMA
// compared with 4x4 (4 vec4 reads per 64 FMAs).
const TM = 8u;
const TN = 8u;
const TM4 = TM / 4u;
const TN4 = TN / 4u;
// The naive kernel's block and workgroup.
const NB = 4u;
const NWG = 16u;

#ifdef VEC4
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
#else
@group(0) @binding(0) var<storage, read> x: array<f32>;
#endif
@group(0) @binding(1) var<storage, read> w: array<W_ELEM>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

// Transposed tiles, k-major: one vec4 read gives 4 rows of X (4 rows of W) at one k.
var<workgroup> xs: array<vec4<f32>, TILE_K * TILE_M / 4u>;
var<workgroup> ws: array<vec4<f32>, TILE_K * TILE_N / 4u>;

/** X[m, k .. k+3] (k % 4 == 0), zero outside the matrix. */
fn x4(m: u32, k: u32) -> vec4<f32> {
  if (m >= p.m || k >= p.k) { return vec4<f32>(0.0); }
#ifdef VEC4
  return x[(m * p.k + k) / 4u];
#else
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u && k + j < p.k; j++) { v[j] = x[m * p.k + k + j]; }
  return v;
#endif
}

/** W[n, k .. k+3] of this chunk (k % 4 == 0), zero outside it. */
fn w4(n: u32, k: u32) -> vec4<f32> {
  if (n >= p.n_rows || k >= p.k) { return vec4<f32>(0.0); }
#ifdef VEC4
  return w_load4((n * p.k + k) / 4u);
#else
  var v = vec4<f32>(0.0);
  for (var j = 0u; j < 4u && k + j < p.k; j++) { v[j] = w_load(n * p.k + k + j); }
  return v;
#endif
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
  // The tiles load as 4x4 blocks (4 rows x 4 k), transposed in registers so every
  // workgroup-memory write is a whole vec4 (no two invocations share a vector).
  let kb = TILE_K / 4u;
  let xblocks = (TILE_M / 4u) * kb;
  let blocks = xblocks + (TILE_N / 4u) * kb;
  var acc: array<vec4<f32>, TM * TN4>;  // acc[i * TN4 + q][c]: row i, column 4q + c
  for (var k0 = 0u; k0 < p.k; k0 += TILE_K) {
    for (var b = li; b < blocks; b += threads) {
      let isx = b < xblocks;
      let bb = select(b - xblocks, b, isx);
      let r = (bb / kb) * 4u;
      let k = (bb % kb) * 4u;
      var v: array<vec4<f32>, 4>;
      for (var i = 0u; i < 4u; i++) {
        if (isx) { v[i] = x4(m0 + r + i, k0 + k); } else { v[i] = w4(n0 + r + i, k0 + k); }
      }
      for (var j = 0u; j < 4u; j++) {
        let t = vec4<f32>(v[0][j], v[1][j], v[2][j], v[3][j]);
        if (isx) { xs[((k + j) * TILE_M + r) / 4u] = t; } else { ws[((k + j) * TILE_N + r) / 4u] = t; }
      }
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

@compute @workgroup_size(NWG, NWG)
fn naive(@builtin(workgroup_id) wg: vec3u, @builtin(local_invocation_id) lid: vec3u) {
  let m = (wg.y * NWG + lid.y) * NB;
  let n = (wg.x * NWG + lid.x) * NB;
  var acc: array<vec4<f32>, NB>;  // acc[i][j]: row i, column j
  for (var k = 0u; k < p.k; k += 4u) {
    let b = array<vec4<f32>, NB>(w4(n, k), w4(n + 1u, k), w4(n + 2u, k), w4(n + 3u, k));
    for (var i = 0u; i < NB; i++) {
      let a = x4(m + i, k);
      acc[i] += vec4<f32>(dot(a, b[0]), dot(a, b[1]), dot(a, b[2]), dot(a, b[3]));
    }
  }
  for (var i = 0u; i < NB; i++) {
    for (var j = 0u; j < NB; j++) { store(m, n, i, j, acc[i][j]); }
  }
}
