// Y[M, N] = X[M, K] · W[N, K]^T for prefill (M large): the linear layer as a GEMM.
// Bindings: x [M, K] f32; w = one chunk of W's rows, [n_rows, K] (f32 or f16, see
// lib/weights.wgsl); y [M, N] f32; params. The chunk's rows are Y's columns
// n_off .. n_off + n_rows, so a weight split across buffers is one dispatch per chunk.
// Defines: W_F16 (f16 weights), VEC4 (K % 4 == 0: 16-byte loads of X and W along K).
// Entry points:
//   main:  the tiled GEMM of lib/mm-tile.wgsl: X and W tiles staged through workgroup
//          memory TILE_K at a time (mm_stage below); each invocation owns an 8x8 block
//          of Y. Dispatch (ceil(n_rows / TILE_N), ceil(M / TILE_M)).
//   naive: a 4x4 block per invocation read straight from global memory, 16x16
//          invocations per workgroup (`basert doctor`'s baseline). Dispatch
//          (ceil(n_rows / 64), ceil(M / 64)).

#include "lib/weights.wgsl"
#include "lib/mm-tile.wgsl"

struct Params {
  m: u32,
  n: u32,       // Y's row length (all of W's rows, not just this chunk's)
  k: u32,
  n_off: u32,   // first Y column this chunk writes
  n_rows: u32,  // rows in this chunk of W
};

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

/** lib/mm-tile.wgsl's tile load: X and W alike as 4x4 blocks (4 rows x 4 k), transposed
 *  in registers so every workgroup-memory write is a whole vec4 (no two invocations
 *  share a vector). */
fn mm_stage(m0: u32, n0: u32, k0: u32, li: u32, threads: u32) {
  let kb = TILE_K / 4u;
  let xblocks = (TILE_M / 4u) * kb;
  let blocks = xblocks + (TILE_N / 4u) * kb;
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
