// Sampling, one workgroup per row of logits x: [rows, n] f32 (n up to a vocabulary, logit
// edits already applied by sample-penalize.wgsl). Per row (src/sample/pack.ts packs `Row`):
//   greedy:  the argmax (ties to the lowest index).
//   else:    keep {x >= tau}, where tau combines min-p (x >= m + T ln min_p), top-k (the k-th
//            largest value) and top-p (the largest value x* whose kept mass at or above it
//            reaches top_p of the kept total); mass = exp((x - m) / T). Then draw by inverse
//            CDF in index order with u = pcg4d(seed, step) (24 bits): the first kept token
//            whose cumulative mass exceeds u * total.
// Thresholds come from a search instead of a sort (find_threshold): each pass counts and
// sums the mass of the row at or above 16 candidate values at once, then narrows to the
// bucket holding the answer, until that bucket holds one element (or one value). The
// draw sums contiguous chunks per invocation, then recurses into the chunk holding u.
// With SAMPLE_LIB (sample-logprobs.wgsl) only the shared part: structs, x and rows, the
// row statistics and the search.
// Few barriers on purpose: CPU adapters (llvmpipe) compile each barrier into a coroutine
// suspend point and took ~30 s to compile a version with ~60 of them; decisions are made
// by invocation 0 and published in one struct through one workgroupUniformLoad.
// Bindings: x, rows, edits, out, params. out (u32 words): ids [rows], chosen logprob [rows],
// top ids [rows, kmax], top logprobs [rows, kmax], raw log-sum-exp [rows] (Params offsets).

#ifdef SUBGROUPS
enable subgroups;
#define SG_ARGS , @builtin(subgroup_invocation_id) sg_lane: u32, @builtin(subgroup_size) sg_size: u32
#else
#define SG_ARGS
#endif

struct Params {
  rows: u32,
  n: u32,
  kmax: u32,     // top-logprob slots per row
  lp_off: u32,   // word offsets into out
  top_off: u32,
  toplp_off: u32,
  lse_off: u32,
};

struct Row {
  flags: u32,        // 1 greedy, 2 logprobs, 4 min-p
  inv_t: f32,        // 1 / temperature
  min_p_off: f32,    // T ln(min_p) (<= 0)
  top_k: u32,        // 0 = off
  top_p: f32,        // 1 = off
  seed_lo: u32,
  seed_hi: u32,
  step: u32,
  edit_start: u32,   // this row's edits (for the raw logit of the sampled token)
  edit_count: u32,
  top_n: u32,        // top logprobs wanted
  _pad: u32,
};

struct Edit {
  idx: u32,
  bias: f32,
  mul_pos: f32,
  mul_neg: f32,
  sub: f32,
  orig: f32,
};

override WG: u32 = 64;
override CAP: u32 = 1024;  // elements a search gathers into workgroup memory

const BIG: f32 = 3.0e38;
const VALUE_PASSES: u32 = 4u;  // candidates spaced by value first, then by key
const MAX_PASSES: u32 = 14u;   // 4 value passes + 8 key passes reach one key from any range

@group(0) @binding(0) var<storage, read> x: array<f32>;
@group(0) @binding(1) var<storage, read> rows: array<Row>;

// Order-preserving map between f32 and u32 (larger float -> larger key).
fn okey(v: f32) -> u32 {
  let b = bitcast<u32>(v);
  return select(b | 0x80000000u, ~b, (b & 0x80000000u) != 0u);
}
fn oval(k: u32) -> f32 {
  return bitcast<f32>(select(~k, k & 0x7fffffffu, (k & 0x80000000u) != 0u));
}

fn pcg4d(a: vec4u) -> vec4u {
  var v = a * 1664525u + 1013904223u;
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  v ^= v >> vec4u(16u);
  v.x += v.y * v.w; v.y += v.z * v.x; v.z += v.x * v.y; v.w += v.y * v.z;
  return v;
}

// ---- row statistics ----------------------------------------------------------------------
struct RowStats {
  m: f32,       // maximum
  am: u32,      // lowest index holding it
  lo: f32,      // minimum
  sum: f32,     // sum of exp(x - m) (with ROW_LSE only)
  bound: f32,   // a value with at least k elements at or above it (or -BIG)
};

var<workgroup> parts4: array<vec4<f32>, WG>;   // per invocation (subgroup): max, its index, min, sum
var<workgroup> sub_max: array<vec4<f32>, WG>;
var<workgroup> by_rank: array<f32, WG * 4u>;
var<workgroup> stat: RowStats;

// One pass: max, its lowest index, min, and a lower bound for the k-th largest value (k
// uniform, 0 = none): each invocation keeps the maxima of 4 interleaved sub-streams; the
// k-th largest of those 4 WG distinct elements has k elements at or above it. Starting
// top-k's search there spares its first pass most of the row.
fn row_stats(base: u32, n: u32, k: u32, lid: u32, sg_lane: u32, sg_size: u32) -> RowStats {
  var bv = x[base];
  var bi = 0u;
  var mn = bv;
  var s = 0.0;
  var mx = vec4(-BIG);
  var q = 0u;
  for (var i = lid; i < n; i += WG) {
    let v = x[base + i];
#ifdef ROW_LSE
    let nm = max(bv, v);
    s = s * exp(bv - nm) + exp(v - nm);
#endif
    if (v > bv) { bv = v; bi = i; }
    mn = min(mn, v);
    mx[q] = max(mx[q], v);
    q = (q + 1u) & 3u;
  }
  // f32 holds indices exactly below 2^24.
#ifdef SUBGROUPS
  let sm = subgroupMax(bv);
  let part = vec4(sm, subgroupMin(select(BIG, f32(bi), bv == sm)), subgroupMin(mn), subgroupAdd(s * exp(bv - sm)));
  if (sg_lane == 0u) { parts4[lid / sg_size] = part; }
  let nparts = (WG + sg_size - 1u) / sg_size;
#else
  parts4[lid] = vec4(bv, f32(bi), mn, s);
  let nparts = WG;
#endif
  sub_max[lid] = mx;
  workgroupBarrier();
  let ranked = k > 0u && k <= 4u * WG;
  if (ranked) {
    for (var c = 0u; c < 4u; c++) {
      // Rank among all sub-stream maxima, ties broken by slot: a permutation.
      let v = mx[c];
      let me = lid * 4u + c;
      var rank = 0u;
      for (var t = 0u; t < WG; t++) {
        let o = sub_max[t];
        for (var d = 0u; d < 4u; d++) {
          rank += u32(o[d] > v || (o[d] == v && t * 4u + d < me));
        }
      }
      by_rank[rank] = v;
    }
    workgroupBarrier();
  }
  if (lid == 0u) {
    var r = parts4[0];
    for (var t = 1u; t < nparts; t++) {
      let o = parts4[t];
      let m = max(r.x, o.x);
      var idx = select(o.y, r.y, r.x > o.x);
      if (r.x == o.x) { idx = min(r.y, o.y); }
      r = vec4(m, idx, min(r.z, o.z), r.w * exp(r.x - m) + o.w * exp(o.x - m));
    }
    stat = RowStats(r.x, u32(r.y), r.z, r.w, select(-BIG, by_rank[max(k, 1u) - 1u], ranked));
  }
  return workgroupUniformLoad(&stat);
}

// ---- threshold search --------------------------------------------------------------------
// A pass counts (and sums the mass of) the elements at or above 16 candidates: cand[0] is
// the range's low end, cand[15] its high end (exclusive), so 15 buckets. Once the answer's
// bucket holds at most CAP elements they are gathered into workgroup memory (in a fixed
// order: deterministic sums) and the remaining passes read only those. Counts are f32:
// exact below 2^24.
struct Ctl {
  state: u32,   // SEARCH, DONE or GATHER
  j: u32,       // the bucket to gather, or ALL (everything >= the search's low end)
  list: u32,    // 1: passes read `list`
  res: f32,     // the threshold, once DONE
};

const SEARCH: u32 = 0u;
const DONE: u32 = 1u;
const GATHER: u32 = 2u;
const ALL: u32 = 16u;

var<workgroup> ctl: Ctl;
var<workgroup> hist: array<vec4<f32>, WG * 8u>;  // per invocation: counts at cand[0..16), masses
var<workgroup> cand: array<f32, 16>;
var<workgroup> sel_ka: u32;                // the answer's key range [ka, kb)
var<workgroup> sel_kb: u32;
var<workgroup> sel_target: f32;
var<workgroup> base_n: f32;                // count / mass of x >= the list's high end
var<workgroup> base_w: f32;
var<workgroup> list: array<f32, CAP>;
var<workgroup> list_len: u32;
var<workgroup> g_off: array<u32, WG>;      // per invocation: elements >= lo (the `few` count)

// Invocation 0: interior candidates with strictly increasing keys in (ka, kb); unused = oval(kb).
fn make_candidates(pass_no: u32) {
  let ka = sel_ka;
  let kb = sel_kb;
  let w = kb - ka;
  let va = oval(ka);
  let vb = oval(kb);
  cand[0] = va;
  cand[15] = vb;
  var prev = ka;
  for (var j = 1u; j < 15u; j++) {
    var k: u32;
    if (w <= 15u) {
      k = ka + j;
    } else if (pass_no < VALUE_PASSES) {
      let t = f32(j) / 15.0;
      k = max(okey(va * (1.0 - t) + vb * t), prev + 1u);
    } else {
      k = ka + (w / 15u) * j;
    }
    if (k >= kb) { cand[j] = vb; } else { cand[j] = oval(k); prev = k; }
  }
}

// Every invocation: its counts (and masses) at each candidate into hist[lid].
fn count_pass(base: u32, n: u32, m: f32, inv_t: f32, by_mass: bool, in_list: bool, lid: u32) {
  let c0 = vec4(cand[0], cand[1], cand[2], cand[3]);
  let c1 = vec4(cand[4], cand[5], cand[6], cand[7]);
  let c2 = vec4(cand[8], cand[9], cand[10], cand[11]);
  let c3 = vec4(cand[12], cand[13], cand[14], cand[15]);
  var n0 = vec4(0.0); var n1 = vec4(0.0); var n2 = vec4(0.0); var n3 = vec4(0.0);
  var w0 = vec4(0.0); var w1 = vec4(0.0); var w2 = vec4(0.0); var w3 = vec4(0.0);
  let len = select(n, list_len, in_list);
  for (var i = lid; i < len; i += WG) {
    var v: f32;
    if (in_list) { v = list[i]; } else { v = x[base + i]; }
    let w = select(0.0, exp((v - m) * inv_t), by_mass);
    let s = vec4(v);
    let b0 = select(vec4(0.0), vec4(1.0), s >= c0);
    let b1 = select(vec4(0.0), vec4(1.0), s >= c1);
    let b2 = select(vec4(0.0), vec4(1.0), s >= c2);
    let b3 = select(vec4(0.0), vec4(1.0), s >= c3);
    n0 += b0; n1 += b1; n2 += b2; n3 += b3;
    w0 += b0 * w; w1 += b1 * w; w2 += b2 * w; w3 += b3 * w;
  }
  let h = lid * 8u;
  hist[h] = n0; hist[h + 1u] = n1; hist[h + 2u] = n2; hist[h + 3u] = n3;
  hist[h + 4u] = w0; hist[h + 5u] = w1; hist[h + 6u] = w2; hist[h + 7u] = w3;
}

// Invocation t's count of x >= cand[j] in the last pass.
fn own_count(t: u32, j: u32) -> f32 {
  return hist[t * 8u + j / 4u][j % 4u];
}

// Invocation 0, after a count pass: pick the highest candidate whose count (mass) at or
// above it still reaches the target and narrow to its bucket; gather it or finish.
fn decide(pass_no: u32, by_mass: bool, goal: f32) {
  var tot: array<vec4<f32>, 8>;
  for (var t = 0u; t < WG; t++) {
    for (var c = 0u; c < 8u; c++) { tot[c] += hist[t * 8u + c]; }
  }
  var cnt: array<f32, 16>;
  var fv: array<f32, 16>;
  for (var j = 0u; j < 16u; j++) {
    cnt[j] = tot[j / 4u][j % 4u] + base_n;
    fv[j] = select(cnt[j], tot[4u + j / 4u][j % 4u] + base_w, by_mass);
  }
  ctl.state = SEARCH;
  if (pass_no == 0u) {
    // top-p's target is relative to the mass kept so far; top-k's is a count.
    sel_target = select(goal, goal * fv[0], by_mass);
    if (fv[0] < sel_target) { ctl.res = cand[0]; ctl.state = DONE; return; }
  }
  let want = sel_target;
  var j = 14u;
  while (j > 0u && fv[j] < want) { j--; }
  let ka = okey(cand[j]);
  let kb = okey(cand[j + 1u]);
  let inside = cnt[j] - cnt[j + 1u];
  if (inside <= 1.0 || kb - ka <= 1u || pass_no + 1u >= MAX_PASSES) {
    ctl.res = cand[j];
    ctl.state = DONE;
    return;
  }
  if (ctl.list == 0u && inside <= f32(CAP)) {
    ctl.state = GATHER;
    ctl.j = j;
    ctl.list = 1u;
    list_len = u32(inside);
    base_n = cnt[j + 1u];
    base_w = select(0.0, fv[j + 1u], by_mass);
  }
  sel_ka = ka;
  sel_kb = kb;
}

// A threshold tau >= lo with {x >= tau} = {x >= x*}, x* the largest element whose count
// (by_mass false; goal = k) or mass (by_mass true; goal = fraction of the mass >= lo) at or
// above it reaches the goal. m: the row maximum. `few`: few elements are expected >= lo, so
// count them first and, when they fit, search only a gathered copy. Uniform control flow.
fn find_threshold(base: u32, n: u32, lo: f32, m: f32, inv_t: f32, by_mass: bool, goal: f32,
                  few: bool, lid: u32) -> f32 {
  if (few) {
    var c = 0u;
    for (var i = lid; i < n; i += WG) { c += u32(x[base + i] >= lo); }
    g_off[lid] = c;
    workgroupBarrier();
  }
  // No static trip count (decide finishes by MAX_PASSES): a counted loop here was unrolled
  // by llvmpipe, a copy of every barrier per pass.
  var it = 0u;
  var res = lo;
  loop {
    if (lid == 0u) {
      if (it == 0u) {
        ctl = Ctl(SEARCH, 0u, 0u, lo);
        sel_ka = okey(lo);
        sel_kb = okey(m) + 1u;
        base_n = 0.0;
        base_w = 0.0;
        if (few) {
          var total = 0u;
          for (var t = 0u; t < WG; t++) { total += g_off[t]; }
          if (total <= CAP) { ctl = Ctl(GATHER, ALL, 1u, lo); list_len = total; }
        }
      } else {
        decide(it - 1u, by_mass, goal);
      }
      if (ctl.state != DONE) { make_candidates(it); }
    }
    let c = workgroupUniformLoad(&ctl);
    if (c.state == DONE) {
      res = c.res;
      break;
    }
    if (c.state == GATHER) {
      // Copy [glo, ghi) into `list`: each invocation at the sum of the counts before it.
      let all = c.j == ALL;
      var o = 0u;
      for (var t = 0u; t < lid; t++) {
        o += select(u32(own_count(t, c.j) - own_count(t, c.j + 1u)), g_off[t], all);
      }
      let glo = select(oval(sel_ka), lo, all);
      let ghi = select(oval(sel_kb), BIG, all);
      for (var i = lid; i < n; i += WG) {
        let v = x[base + i];
        if (v >= glo && v < ghi) {
          if (o < CAP) { list[o] = v; }
          o++;
        }
      }
      workgroupBarrier();
    }
    count_pass(base, n, m, inv_t, by_mass, c.list != 0u, lid);
    workgroupBarrier();
    it++;
  }
  return res;
}

#ifndef SAMPLE_LIB
@group(0) @binding(2) var<storage, read> edits: array<Edit>;
@group(0) @binding(3) var<storage, read_write> out: array<u32>;
@group(0) @binding(4) var<uniform> p: Params;

// ---- draw ----------------------------------------------------------------------------------
struct DrawCtl {
  lo: u32,      // the range still holding the target: [lo, lo + len)
  len: u32,
  skip: f32,    // mass left to skip inside it (< 0 before the first level)
};

var<workgroup> dctl: DrawCtl;
var<workgroup> part: array<f32, WG>;

// Inverse CDF over {x >= tau} in index order with weights exp((x - m) * inv_t).
fn draw(base: u32, n: u32, tau: f32, m: f32, inv_t: f32, u: f32, lid: u32) -> u32 {
  if (lid == 0u) { dctl = DrawCtl(0u, n, -1.0); }
  var id = 0u;
  loop {
    let c = workgroupUniformLoad(&dctl);
    if (c.len <= 1u) {
      id = c.lo;
      break;
    }
    let chunk = (c.len + WG - 1u) / WG;
    let end = c.lo + c.len;
    let s0 = min(c.lo + lid * chunk, end);
    let s1 = min(s0 + chunk, end);
    var acc = 0.0;
    for (var i = s0; i < s1; i++) {
      let v = x[base + i];
      if (v >= tau) { acc += exp((v - m) * inv_t); }
    }
    part[lid] = acc;
    workgroupBarrier();
    if (lid == 0u) {
      var want = c.skip;
      if (want < 0.0) {
        var z = 0.0;
        for (var t = 0u; t < WG; t++) { z += part[t]; }
        want = u * z;
      }
      // The chunk whose cumulative mass first exceeds the target; past the end (rounding:
      // the sums of the next level differ in the last bits), the last chunk with mass.
      var cum = 0.0;
      var sel = WG;
      var last = 0u;
      for (var t = 0u; t < WG; t++) {
        let pt = part[t];
        if (pt > 0.0) {
          last = t;
          if (cum + pt > want) { sel = t; break; }
        }
        cum += pt;
      }
      if (sel == WG) { sel = last; want = part[last]; } else { want -= cum; }
      let lo = c.lo + sel * chunk;
      dctl = DrawCtl(lo, min(chunk, end - lo), want);
    }
  }
  return id;
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  let row = wg.x + wg.y * nwg.x;
  if (row >= p.rows) { return; }
  let r = rows[row];
  let n = p.n;
  let base = row * n;
  let greedy = (r.flags & 1u) != 0u;
#ifdef SUBGROUPS
  let st = row_stats(base, n, select(r.top_k, 0u, greedy), lid, sg_lane, sg_size);
#else
  let st = row_stats(base, n, select(r.top_k, 0u, greedy), lid, 0u, 1u);
#endif
  var id = st.am;
  if (!greedy) {
    var tau = st.lo;
    if ((r.flags & 4u) != 0u) { tau = max(tau, st.m + r.min_p_off); }
    // Phase 0: top-k (a count); phase 1: top-p (a mass fraction) over what top-k and min-p
    // kept, when few elements remain and top-p searches a gathered copy. One call site.
    for (var phase = 0u; phase < 2u; phase++) {
      let by_mass = phase == 1u;
      if ((by_mass && r.top_p < 1.0) || (!by_mass && r.top_k > 0u)) {
        let lo = select(max(tau, st.bound), tau, by_mass);
        let few = select(st.bound > tau, tau > st.lo, by_mass);
        let goal = select(f32(r.top_k), r.top_p, by_mass);
        tau = find_threshold(base, n, lo, st.m, r.inv_t, by_mass, goal, few, lid);
      }
    }
    let h = pcg4d(vec4u(r.seed_lo, r.seed_hi, r.step, 0u));
    let u = f32(h.x >> 8u) * (1.0 / 16777216.0);
    id = draw(base, n, tau, st.m, r.inv_t, u, lid);
  }
  if (lid == 0u) {
    out[row] = id;
    if ((r.flags & 2u) != 0u) {
      // Raw logprob: the logit before edits, from the edit when this token had one.
      var v = x[base + id];
      for (var e = r.edit_start; e < r.edit_start + r.edit_count; e++) {
        if (edits[e].idx == base + id) { v = edits[e].orig; }
      }
      out[p.lp_off + row] = bitcast<u32>(v - bitcast<f32>(out[p.lse_off + row]));
    }
  }
}
#endif
