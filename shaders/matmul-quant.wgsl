// Y[M, N] = X[M, K] · W[N, K]^T for prefill (any M) with W in a GGML block format
// (lib/quant-blocks.wgsl): the tiled GEMM of lib/mm-tile.wgsl (as in shaders/matmul.wgsl)
// with the W tile dequantized to f32 as it is staged into workgroup memory (mm_stage
// below), so the register-blocked inner loop is the f32 one and each weight is decoded
// once per TILE_M rows of X.
// Bindings: x [M, K] f32; w = one chunk of W's rows as raw bytes (array<u32>); y [M, N]
// f32; params. The chunk's rows are Y's columns n_off .. n_off + n_rows.
// Defines: the weight format (W_Q4_0, ...). Needs K % TILE_K == 0 (K is whole blocks of
// 16 or 32 elements; TILE_K = 16).
// Dispatch: (ceil(n_rows / TILE_N), ceil(M / TILE_M)); each invocation owns an 8x8 block of Y.

#include "lib/quant-blocks.wgsl"
#include "lib/mm-tile.wgsl"

struct Params {
  m: u32,
  n: u32,          // Y's row length (all of W's rows, not just this chunk's)
  k: u32,
  n_off: u32,      // first Y column this chunk writes
  n_rows: u32,     // rows in this chunk of W
  row_bytes: u32,  // bytes per row of W
};

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

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

/** lib/mm-tile.wgsl's tile load. X loads as 4x4 blocks (4 rows x 4 k), transposed in
 *  registers so every workgroup-memory write is a whole vec4. W is dequantized one row x
 *  4 k at a time and stored component-wise: a single q_dq4 call site keeps the shader
 *  small (each call site of a block decoder costs seconds of compile time on lavapipe). */
fn mm_stage(m0: u32, n0: u32, k0: u32, li: u32, threads: u32) {
  let kb = TILE_K / 4u;
  let xblocks = (TILE_M / 4u) * kb;
  let wquads = TILE_N * kb;
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
}
