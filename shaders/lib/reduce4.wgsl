// wg_sum4: wg_sum (lib/reduce.wgsl) for a vec4<f32>, i.e. four workgroup sums for the
// barriers of one (a GEMV workgroup's four output rows). Same contract as wg_sum: the
// including shader declares `override WG` (a power of two, at most 1024), puts SG_ARGS
// at the end of its entry point's parameters, runs SG_INIT first, and calls this from
// uniform control flow.

#include "lib/reduce.wgsl"

#ifdef SUBGROUPS
// One partial per subgroup; subgroups are at least 4 wide, so WG/4 <= 256 slots.
var<workgroup> red4_sg: array<vec4<f32>, 256>;
#else
var<workgroup> red4_buf: array<vec4<f32>, WG>;
#endif

fn wg_sum4(v: vec4<f32>, lid: u32) -> vec4<f32> {
#ifdef SUBGROUPS
  let s = subgroupAdd(v);
  if (g_sg_lane == 0u) { red4_sg[lid / g_sg_size] = s; }
  workgroupBarrier();
  var t = vec4<f32>(0.0);
  let n = (WG + g_sg_size - 1u) / g_sg_size;
  for (var i = 0u; i < n; i++) { t += red4_sg[i]; }
  workgroupBarrier();
  return t;
#else
  red4_buf[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red4_buf[lid] += red4_buf[lid + s]; }
    workgroupBarrier();
  }
  let t = red4_buf[0];
  workgroupBarrier();
  return t;
#endif
}
