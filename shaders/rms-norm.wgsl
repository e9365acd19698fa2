// RMS norm over each row, bit for bit as ggml's CPU backend computes it (rms_norm, then a
// separate mul by the weight):
//   mean = f32(Σ f32(x²) / n), scale = 1 / sqrt(mean + eps), y = f32(f32(x * scale) * w)
// with every step correctly rounded. Those last bits matter: llama.cpp rounds the norm's
// output to q8 next, and a last-bit difference flips exact half-way ties there.
// x, y: [rows, n] f32; w: [n] f32; n < 65536. Also used for Qwen3's per-head q/k norm,
// where a [tokens, heads, head_dim] tensor is simply rows = tokens * heads, n = head_dim.
// Sum of squares: ggml sums the f32 squares in f64 (rounding error ~2^-48 of the sum).
// Here each invocation keeps its sum as an unevaluated f32 pair hi + lo: every square is
// added with an error-free two-sum (the rounding error of hi + sq goes into lo exactly)
// and the pair renormalized, so only lo's own roundings are lost, ~2^-44 of the sum for
// 256 squares per invocation; the pairs are then folded the same way. The exact
// hi + lo is divided by n as a 96-bit integer (16-bit digits, a sticky remainder) and
// rounded once, so the mean is ggml's unless the exact mean lies within ~2^-44 of a
// rounding boundary (about one row in 10^6). Why not exact: integer fixed-point limbs
// (a 96-bit accumulator aligned to the row's largest square) did it exactly but cost a
// max pass plus ~30 integer ops per element, 1.6-1.8x the old kernel on lavapipe; this
// costs ~16 f32 ops per element and no extra pass. opaque() (lib/exact-f32.wgsl) keeps
// Mesa from cancelling the two-sum's error term, from fusing x * x into an fma with the
// sum, and from merging x * scale * w into x * (scale * w).
// sqrt_rn and div_rn (lib/exact-f32.wgsl) give the rest correctly rounded.
// Bindings: x, w, [y], params (INPLACE writes y into x). Dispatch: one workgroup per row,
// as a 2-D grid.
// VEC4 (host: n % 4 == 0): x, w, y are read as vec4s (p.n still counts floats). On
// lavapipe, where per-invocation overhead dominates, small workgroups win (WG 16, the
// host's CPU choice, kernels/rms-norm.ts); there the pairs are folded serially by every
// invocation (one barrier), on GPUs (WG > 32) by a tree.

struct Params {
  rows: u32,
  n: u32,     // row length (elements), < 65536
  eps: f32,
  zero: u32,  // always 0: opaque()
};

override WG: u32 = 256;

#define OPAQUE_ZERO p.zero
#include "lib/exact-f32.wgsl"

#ifdef VEC4
#define VT vec4<f32>
#else
#define VT f32
#endif

#ifdef INPLACE
@group(0) @binding(0) var<storage, read_write> x: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> x: array<VT>;
@group(0) @binding(1) var<storage, read> w: array<VT>;
@group(0) @binding(2) var<storage, read_write> y: array<VT>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

var<workgroup> pair_s: array<vec2<f32>, WG>;

/** (hi, lo) + v, renormalized: an error-free two-sum of hi + v (its rounding error goes
 *  to lo exactly), then hi absorbs lo's leading part. */
fn add_pair(a: vec2<f32>, v: f32) -> vec2<f32> {
  let t = opaque(a.x + v);
  let bp = opaque(t - a.x);
  let l = a.y + ((a.x - (t - bp)) + (v - bp));
  let h = opaque(t + l);
  return vec2<f32>(h, l - (h - t));
}

/** a + b for 96-bit integers (limbs low to high; the sum must fit). */
fn add96(a: vec3<u32>, b: vec3<u32>) -> vec3<u32> {
  let s0 = a.x + b.x;
  let t1 = a.y + b.y;
  let s1 = t1 + select(0u, 1u, s0 < b.x);
  // At most one of the two carries out of the middle limb is set.
  return vec3<u32>(s0, s1, a.z + b.z + select(0u, 1u, t1 < b.y || s1 < t1));
}

/** a - b for 96-bit integers, a >= b. */
fn sub96(a: vec3<u32>, b: vec3<u32>) -> vec3<u32> {
  let d0 = a.x - b.x;
  let t1 = a.y - b.y;
  let d1 = t1 - select(0u, 1u, a.x < b.x);
  return vec3<u32>(d0, d1, a.z - b.z - select(0u, 1u, a.y < b.y || t1 < d1));
}

/** |v| as a 96-bit integer in units of 2^(ehi - 206), where ehi is the biased exponent of
 *  the pair's hi (so hi's significand sits at bits 56..79); bits below unit 0 are
 *  truncated (< 2^-79 of hi). */
fn to96(v: f32, ehi: i32) -> vec3<u32> {
  let u = bitcast<u32>(v) & 0x7FFFFFFFu;
  let be = u >> 23u;
  let m = (u & 0x7FFFFFu) | select(0x800000u, 0u, be == 0u);  // subnormal: no hidden bit
  let d = max(i32(be), 1) - ehi + 56;  // bit of m's bit 0
  let mm = select(m, m >> min(u32(-d), 31u), d < 0);
  let pos = u32(clamp(d, 0, 63));
  let b = pos & 31u;
  let lo = mm << b;
  let hi = (mm >> 1u) >> (31u - b);  // the bits shifted past 32 (none when b = 0)
  let w1 = pos >= 32u;
  return vec3<u32>(select(lo, 0u, w1), select(hi, lo, w1), select(0u, hi, w1));
}

/** The f32 nearest v * 2^(emax - 206) / n (ties to even), v a 96-bit integer below 2^81
 *  (hi's significand at bits 56..79) and n < 2^16. */
fn mean_rn(v: vec3<u32>, n: u32, emax: i32) -> f32 {
  // The result keeps the quotient's bits from bit K up: 24 of them, or down to 2^-149
  // (bit 57 - emax) for a subnormal mean. K >= 40 for a normal hi (the quotient's leading
  // bit is >= 63), K = 56 for a subnormal one, so bits below 32 only matter as sticky
  // bits: divide v >> 32 (< 2^49) by n exactly, 16 bits at a time (partials < 2^32).
  let c0 = v.z;                                // bits 64..95 (< 2^17)
  let q0 = c0 / n;
  let c1 = ((c0 - q0 * n) << 16u) | (v.y >> 16u);
  let q1 = c1 / n;
  let c2 = ((c1 - q1 * n) << 16u) | (v.y & 0xFFFFu);
  let q2 = c2 / n;
  let sticky_lo = c2 != q2 * n || v.x != 0u;  // anything below bit 32 of the quotient
  // floor(v / n) >> 32 as 64 bits (q1, q2 < 2^16).
  let qlo = (q1 << 16u) | q2;
  let qhi = q0;
  var lead = -1;
  if (qhi != 0u) { lead = 32 + i32(firstLeadingBit(qhi)); }
  else if (qlo != 0u) { lead = i32(firstLeadingBit(qlo)); }
  if (lead < 0) { return 0.0; }  // a zero row (or one far below 2^-149)
  // k = K - 32, the rounding position in qhi:qlo: in [1, 25] (there lead <= 48).
  let k = u32(max(lead - 23, 25 - emax));
  var kept = (qlo >> k) | ((qhi << 1u) << (31u - k));  // (qhi:qlo) >> k
  let round_bit = (qlo >> (k - 1u)) & 1u;
  let sticky = sticky_lo || (qlo & ((1u << (k - 1u)) - 1u)) != 0u;
  if (round_bit == 1u && (sticky || (kept & 1u) == 1u)) { kept += 1u; }
  // kept * 2^(emax - 206 + K): biased exponent emax + k - 24 for a significand at bit 23
  // (a carry to 2^24 bumps it; a subnormal has exponent field 0 and kept < 2^23).
  return bitcast<f32>((u32(emax + i32(k) - 25) << 23u) + kept);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let row = wg.x + wg.y * nwg.x;
  // Workgroup-uniform exit: the whole group leaves together, so the barriers stay uniform.
  if (row >= p.rows) { return; }
#ifdef VEC4
  let nv = p.n / 4u;
#else
  let nv = p.n;
#endif
  let base = row * nv;
  var acc = vec2<f32>();
  for (var i = lid; i < nv; i += WG) {
    let v = x[base + i];
#ifdef VEC4
    let sq = opaque4(v * v);
    acc = add_pair(add_pair(add_pair(add_pair(acc, sq.x), sq.y), sq.z), sq.w);
#else
    acc = add_pair(acc, opaque(v * v));
#endif
  }
  pair_s[lid] = acc;
  workgroupBarrier();
  var sum = vec2<f32>();
  if (WG <= 32u) {
    // Every invocation folds all the pairs itself: no further barrier.
    // The lo parts are each below their hi's last bit: summed plainly, their rounding
    // errors are ~2^-48 of the row's sum.
    var lo = 0.0;
    for (var j = 0u; j < WG; j++) {
      let q = pair_s[j];
      sum = add_pair(sum, q.x);
      lo += q.y;
    }
    sum = add_pair(sum, lo);
  } else {
    for (var s = WG / 2u; s > 0u; s >>= 1u) {
      if (lid < s) {
        let q = pair_s[lid + s];
        pair_s[lid] = add_pair(add_pair(pair_s[lid], q.x), q.y);
      }
      workgroupBarrier();
    }
    sum = pair_s[0];
  }
  // The exact hi + lo (lo is below hi's last bit) as an integer, then divided and rounded.
  let ehi = max(i32(bitcast<u32>(sum.x) >> 23u), 1);
  let l96 = to96(sum.y, ehi);
  let q = select(add96(to96(sum.x, ehi), l96), sub96(to96(sum.x, ehi), l96), sum.y < 0.0);
  let scale = recip_rn(sqrt_rn(mean_rn(q, p.n, ehi) + p.eps));
  for (var i = lid; i < nv; i += WG) {
#ifdef VEC4
    let o = opaque4(x[base + i] * scale) * w[i];
#else
    let o = opaque(x[base + i] * scale) * w[i];
#endif
#ifdef INPLACE
    x[base + i] = o;
#else
    y[base + i] = o;
#endif
  }
}
