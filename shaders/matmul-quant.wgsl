// Y[M, N] = X[M, K] · W[N, K]^T for prefill (any M) with W in a GGML block format
// (lib/quant-blocks.wgsl): the tiled GEMM of lib/mm-tile.wgsl (as in shaders/matmul.wgsl)
// with the W tile dequantized to f32 as it is staged into workgroup memory (mm_stage
// below), so the register-blocked inner loop is the f32 one and each weight is decoded
// once per TILE_M rows of X.
// X_Q8: X comes as q8 blocks (shaders/quantize-q8.wgsl) and the product is ggml's: both
// tiles are staged as integers (X's quants; W's quants minus its zero point Q_Z), summed
// exactly over each run of Q_RUN elements (32, or Q6_K's 16) that share one scale on
// each side, then scaled by those scales (mm-tile's MM_SLICE, MM_RUN = Q_RUN).
// Bindings: x [M, K] f32, or xq (X_Q8: the quantize-q8 words); w = one chunk of W's rows
// as raw bytes (array<u32>); y [M, N] f32; params. The chunk's rows are Y's columns
// n_off .. n_off + n_rows.
// Defines: the weight format (W_Q4_0, ...), X_Q8. Needs K % TILE_K == 0 (K is whole
// blocks of 16 or 32 elements; TILE_K = 16, which X_Q8 requires: a divisor of Q_RUN).
// Dispatch: (ceil(n_rows / TILE_N), ceil(M / TILE_M)); each invocation owns an 8x8 block of Y.

#include "lib/quant-blocks.wgsl"
#ifdef X_Q8
#define MM_SLICE
#define MM_RUN Q_RUN
#endif
#include "lib/mm-tile.wgsl"

struct Params {
  m: u32,
  n: u32,          // Y's row length (all of W's rows, not just this chunk's)
  k: u32,
  n_off: u32,      // first Y column this chunk writes
  n_rows: u32,     // rows in this chunk of W
  row_bytes: u32,  // bytes per row of W
  xd_off: u32,     // X_Q8: word offset of X's block scales in xq
  xs_off: u32,     // X_Q8 with Q_MIN_BLOCK: word offset of X's q8_1 sums
};

#ifdef X_Q8
@group(0) @binding(0) var<storage, read> xq: array<u32>;
#else
@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
#endif
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> y: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

#ifdef X_Q8
/** X[m, k .. k+3]'s int8 quants as f32, zero past the last row. */
fn x4(m: u32, k: u32) -> vec4<f32> {
  if (m >= p.m) { return vec4<f32>(0.0); }
  return q_i8x4(xq[(m * p.k + k) / 4u]);
}

/** W[n, k .. k+3] of this chunk as q - Q_Z (exact small integers); zero past its last row. */
fn w4(n: u32, k: u32) -> vec4<f32> {
  if (n >= p.n_rows) { return vec4<f32>(0.0); }
  return q_qf(q_raw4(n * p.row_bytes, k)) - Q_Z;
}

/** (dx, mx) of X row m for the run starting at k0: its block scale, and what multiplies
 *  W's min: dx * Σ qx over the run (Q_MIN_SUB) or q8_1's s of the block (Q_MIN_BLOCK). */
fn x_run(m: u32, k0: u32) -> vec2<f32> {
  if (m >= p.m) { return vec2<f32>(0.0); }
  let dx = bitcast<f32>(xq[p.xd_off + (m * p.k + k0) / Q_XB]);
  var mx = 0.0;
#ifdef Q_MIN_SUB
  var sum = 0.0;
  for (var j = 0u; j < Q_RUN / 4u; j++) { sum += dot(x4(m, k0 + 4u * j), vec4<f32>(1.0)); }
  mx = dx * sum;
#endif
#ifdef Q_MIN_BLOCK
  mx = bitcast<f32>(xq[p.xs_off + (m * p.k + k0) / 32u]);
#endif
  return vec2<f32>(dx, mx);
}
#else
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
#endif

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
#ifdef X_Q8
  if (k0 % Q_RUN != 0u) { return; }  // the run's scales are staged at its first slice
  for (var r = li; r < TILE_M; r += threads) { xsc[r] = x_run(m0 + r, k0); }
  for (var r = li; r < TILE_N; r += threads) {
    var so = vec2<f32>(0.0);
    if (n0 + r < p.n_rows) { so = q_so((n0 + r) * p.row_bytes, k0); }
    wsc[r] = so;
  }
#endif
}
