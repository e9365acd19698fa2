// Raw logprobs, before sample-penalize.wgsl edits the logits: per row asking for logprobs
// (Row flag 2), the log-sum-exp of the raw logits into out[lse_off + row], and the top_n
// largest raw logits as (id, logit - lse) into out[top_off ..] / out[toplp_off ..], sorted by
// value, ties to the lower id. sample.wgsl later adds the sampled token's logprob.
// row_stats gives a value L with at least top_n elements at or above it (usually a few
// dozen): those are gathered into workgroup memory and ranked there. A row with too many
// (ties, flat rows) falls back to top_n rounds of "the best below the last pick".
// Bindings: x, rows, out, params. Dispatch: one workgroup per row, 2-D grid.

#define SAMPLE_LIB
#define ROW_LSE
#include "sample.wgsl"

@group(0) @binding(2) var<storage, read_write> out: array<u32>;
@group(0) @binding(3) var<uniform> p: Params;

// Gathered (value, id) pairs >= L.
const LCAP: u32 = 512u;
var<workgroup> lv: array<f32, LCAP>;
var<workgroup> li: array<u32, LCAP>;
var<workgroup> offs: array<u32, WG>;
var<workgroup> red_v: array<f32, WG>;
var<workgroup> red_i: array<u32, WG>;
struct TopCtl {
  total: u32,   // elements >= L
  v: f32,       // the last pick (fallback)
  i: u32,
};
var<workgroup> tctl: TopCtl;

// (v, i) ranks before (w, j): larger value, then lower id.
fn before(v: f32, i: u32, w: f32, j: u32) -> bool {
  return v > w || (v == w && i < j);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  let row = wg.x + wg.y * nwg.x;
  if (row >= p.rows) { return; }
  let r = rows[row];
  if ((r.flags & 2u) == 0u) { return; }
  let n = p.n;
  let base = row * n;
  let k = min(r.top_n, n);
#ifdef SUBGROUPS
  let st = row_stats(base, n, k, lid, sg_lane, sg_size);
#else
  let st = row_stats(base, n, k, lid, 0u, 1u);
#endif
  let lse = st.m + log(st.sum);
  if (lid == 0u) { out[p.lse_off + row] = bitcast<u32>(lse); }
  if (k == 0u) { return; }
  let top = p.top_off + row * p.kmax;
  let toplp = p.toplp_off + row * p.kmax;
  let lo = st.bound;
  // Count, then gather, {x >= lo} in contiguous chunks.
  let chunk = (n + WG - 1u) / WG;
  let s0 = min(lid * chunk, n);
  let s1 = min(s0 + chunk, n);
  var c = 0u;
  for (var i = s0; i < s1; i++) { c += u32(x[base + i] >= lo); }
  offs[lid] = c;
  workgroupBarrier();
  if (lid == 0u) {
    var total = 0u;
    for (var t = 0u; t < WG; t++) {
      let ct = offs[t];
      offs[t] = total;
      total += ct;
    }
    tctl = TopCtl(total, BIG, 0u);
  }
  let tc = workgroupUniformLoad(&tctl);
  if (tc.total <= LCAP) {
    var o = offs[lid];
    for (var i = s0; i < s1; i++) {
      let v = x[base + i];
      if (v >= lo) { lv[o] = v; li[o] = i; o++; }
    }
    workgroupBarrier();
    // Each gathered element's rank is where it goes.
    for (var e = lid; e < tc.total; e += WG) {
      let v = lv[e];
      let id = li[e];
      var rank = 0u;
      for (var f = 0u; f < tc.total; f++) { rank += u32(before(lv[f], li[f], v, id)); }
      if (rank < k) {
        out[top + rank] = id;
        out[toplp + rank] = bitcast<u32>(v - lse);
      }
    }
    return;
  }
  for (var j = 0u; j < k; j++) {
    let last = workgroupUniformLoad(&tctl);
    var bv = -BIG;
    var bi = n;
    for (var i = lid; i < n; i += WG) {
      let v = x[base + i];
      if (before(last.v, last.i, v, i) && before(v, i, bv, bi)) { bv = v; bi = i; }
    }
    red_v[lid] = bv;
    red_i[lid] = bi;
    workgroupBarrier();
    if (lid == 0u) {
      for (var t = 1u; t < WG; t++) {
        if (before(red_v[t], red_i[t], bv, bi)) { bv = red_v[t]; bi = red_i[t]; }
      }
      out[top + j] = bi;
      out[toplp + j] = bitcast<u32>(bv - lse);
      tctl = TopCtl(last.total, bv, bi);
    }
  }
}
