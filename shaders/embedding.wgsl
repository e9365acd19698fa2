// Token embedding lookup: out[t, :] = table[ids[t], :]. table: [vocab, dim] f32 or f16
// (W_F16), possibly split into chunks of whole rows (each under the binding-size limit):
// the host dispatches once per chunk, and each dispatch writes only the tokens whose id
// falls in its rows [row_start, row_start + rows).
// Bindings: ids (u32 [tokens]), w (this chunk of the table), out (f32 [tokens, dim]), params.
// Dispatch: ceil(tokens * dim / WG) workgroups as a 2-D grid, one output element each.

#include "lib/weights.wgsl"

struct Params {
  total: u32,      // tokens * dim
  dim: u32,
  row_start: u32,  // first table row held by this chunk
  rows: u32,       // rows in this chunk
};

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read> ids: array<u32>;
@group(0) @binding(1) var<storage, read> w: array<W_ELEM>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * nwg.x) * WG + lid;
  if (i >= p.total) { return; }
  let t = i / p.dim;
  // An id below row_start wraps to a huge u32, so one compare tests both ends of the range.
  let r = ids[t] - p.row_start;
  if (r >= p.rows) { return; }
  out[i] = w_load(r * p.dim + (i - t * p.dim));
}
