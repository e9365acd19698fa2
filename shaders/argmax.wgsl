// Row-wise argmax: out[r] = the index of the largest x[r, i]; ties resolve to the LOWEST
// index. x: [rows, n] f32 (n up to a full vocabulary), out: u32 [rows]. NaNs: unspecified.
// Each invocation scans i = lid, lid + WG, ... keeping the first strict maximum it meets (so
// the lowest index of its own ties), then the workgroup reduces (value, index) pairs
// preferring the larger value, then the smaller index.
// Bindings: x, out, params. Dispatch: one workgroup per row, as a 2-D grid.

#include "lib/reduce.wgsl"

struct Params {
  rows: u32,
  n: u32,
};

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> out: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

#ifdef SUBGROUPS
// One (value, index) per subgroup; subgroups are at least 4 wide.
var<workgroup> am_v: array<f32, 256>;
var<workgroup> am_i: array<u32, 256>;
#else
var<workgroup> am_v: array<f32, WG>;
var<workgroup> am_i: array<u32, WG>;
#endif

fn better(v: f32, i: u32, bv: f32, bi: u32) -> bool {
  return v > bv || (v == bv && i < bi);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let row = wg.x + wg.y * nwg.x;
  if (row >= p.rows) { return; }  // workgroup-uniform
  let base = row * p.n;
  // Every invocation starts from element 0, a real candidate with the lowest index, so
  // invocations past n (n < WG) need no sentinel and -inf rows still work.
  var bv = x[base];
  var bi = 0u;
  for (var i = lid; i < p.n; i += WG) {
    let v = x[base + i];
    if (v > bv) { bv = v; bi = i; }
  }
#ifdef SUBGROUPS
  let m = subgroupMax(bv);
  let mi = subgroupMin(select(0xffffffffu, bi, bv == m));
  if (g_sg_lane == 0u) {
    am_v[lid / g_sg_size] = m;
    am_i[lid / g_sg_size] = mi;
  }
  workgroupBarrier();
  if (lid == 0u) {
    var rv = am_v[0];
    var ri = am_i[0];
    let nsg = (WG + g_sg_size - 1u) / g_sg_size;
    for (var s = 1u; s < nsg; s++) {
      if (better(am_v[s], am_i[s], rv, ri)) { rv = am_v[s]; ri = am_i[s]; }
    }
    out[row] = ri;
  }
#else
  am_v[lid] = bv;
  am_i[lid] = bi;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s && better(am_v[lid + s], am_i[lid + s], am_v[lid], am_i[lid])) {
      am_v[lid] = am_v[lid + s];
      am_i[lid] = am_i[lid + s];
    }
    workgroupBarrier();
  }
  if (lid == 0u) { out[row] = am_i[0]; }
#endif
}
