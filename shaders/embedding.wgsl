// Token embedding lookup: out[t, :] = table[ids[t], :]. table: [vocab, dim], possibly
// split into chunks of whole rows (each under the binding-size limit): the host
// dispatches once per chunk, and each dispatch writes only the tokens whose id falls in
// its rows [row_start, row_start + rows).
//   f32 or f16 (W_F16) tables: one output element per invocation.
//   GGML block formats and bf16 (W_BLOCK plus one W_<FORMAT> of lib/quant-blocks.wgsl):
//   the row's raw file bytes, 4 output elements per invocation (dim % 4 == 0), each
//   dequantized exactly as ggml's dequantize_row does it in f32 (below), so a gathered
//   row equals llama.cpp's get_rows bit for bit.
// Bindings: ids (u32 [tokens]), w (this chunk of the table), out (f32 [tokens, dim]), params.
// Dispatch: ceil(total / WG) workgroups as a 2-D grid; total counts output elements
// (f32/f16) or groups of 4 (W_BLOCK).

struct Params {
  total: u32,      // tokens * dim, or tokens * dim / 4 with W_BLOCK
  dim: u32,
  row_start: u32,  // first table row held by this chunk
  rows: u32,       // rows in this chunk
  row_bytes: u32,  // bytes per table row (W_BLOCK)
};

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read> ids: array<u32>;
#ifdef W_BLOCK
@group(0) @binding(1) var<storage, read> w: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<vec4<f32>>;
#include "lib/quant-blocks.wgsl"
#else
#include "lib/weights.wgsl"
@group(0) @binding(1) var<storage, read> w: array<W_ELEM>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
#endif
@group(0) @binding(3) var<uniform> p: Params;

#ifdef W_BLOCK
/**
 * Elements e .. e+3 of the row at byte rb. ggml rounds once per element: d * (q - z) for
 * the zero-point formats (q - z is a small integer; fma(s, q, -z*s) could round twice
 * where the product s*q is inexact, as Q6_K's 19-bit s times a 6-bit q can be), and
 * s * q + o for the formats with a separate min, where s * q is exact (at most 22 bits).
 */
fn row4(rb: u32, e: u32) -> vec4<f32> {
#ifdef W_BF16
  return q_dq4(rb, e);
#else
  let so = q_so(rb, e);
  let q = q_qf(q_raw4(rb, e));
#ifdef Q_MIN
  return vec4<f32>(so.x) * q + vec4<f32>(so.y);
#else
  return vec4<f32>(so.x) * (q - vec4<f32>(Q_Z));
#endif
#endif
}
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * nwg.x) * WG + lid;
  if (i >= p.total) { return; }
#ifdef W_BLOCK
  let per_row = p.dim / 4u;
#else
  let per_row = p.dim;
#endif
  let t = i / per_row;
  // An id below row_start wraps to a huge u32, so one compare tests both ends of the range.
  let r = ids[t] - p.row_start;
  if (r >= p.rows) { return; }
#ifdef W_BLOCK
  out[i] = row4(r * p.row_bytes, (i - t * per_row) * 4u);
#else
  out[i] = w_load(r * p.dim + (i - t * per_row));
#endif
}
