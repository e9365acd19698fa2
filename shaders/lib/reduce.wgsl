// Workgroup-wide reductions, one f32 per invocation, with a subgroup path and a
// shared-memory tree path. The including shader declares `override WG: u32` (its
// workgroup size: a power of two, at most 1024), puts SG_ARGS at the end of its entry
// point's parameters and runs SG_INIT first. Every invocation must call these
// (they contain barriers), from uniform control flow.

#ifdef SUBGROUPS
enable subgroups;
#define SG_ARGS , @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32
#define SG_INIT g_sg_lane = sg_lane; g_sg_size = sg_size;
var<private> g_sg_lane: u32;
var<private> g_sg_size: u32;
// One partial per subgroup; subgroups are at least 4 wide, so WG/4 <= 256 slots.
var<workgroup> red_sg: array<f32, 256>;
#else
#define SG_ARGS
#define SG_INIT
var<workgroup> red_buf: array<f32, WG>;
#endif

fn wg_sum(v: f32, lid: u32) -> f32 {
#ifdef SUBGROUPS
  let s = subgroupAdd(v);
  if (g_sg_lane == 0u) { red_sg[lid / g_sg_size] = s; }
  workgroupBarrier();
  var t = 0.0;
  let n = (WG + g_sg_size - 1u) / g_sg_size;
  for (var i = 0u; i < n; i++) { t += red_sg[i]; }
  workgroupBarrier();
  return t;
#else
  red_buf[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red_buf[lid] += red_buf[lid + s]; }
    workgroupBarrier();
  }
  let t = red_buf[0];
  workgroupBarrier();
  return t;
#endif
}

fn wg_max(v: f32, lid: u32) -> f32 {
#ifdef SUBGROUPS
  let s = subgroupMax(v);
  if (g_sg_lane == 0u) { red_sg[lid / g_sg_size] = s; }
  workgroupBarrier();
  var t = red_sg[0];
  let n = (WG + g_sg_size - 1u) / g_sg_size;
  for (var i = 1u; i < n; i++) { t = max(t, red_sg[i]); }
  workgroupBarrier();
  return t;
#else
  red_buf[lid] = v;
  workgroupBarrier();
  for (var s = WG / 2u; s > 0u; s >>= 1u) {
    if (lid < s) { red_buf[lid] = max(red_buf[lid], red_buf[lid + s]); }
    workgroupBarrier();
  }
  let t = red_buf[0];
  workgroupBarrier();
  return t;
#endif
}
