// Correctly rounded f32 helpers, for kernels that must reproduce another backend's bits.
// WGSL only promises correct rounding for f32 `+`, `-` and `*`: `/` may be off by 2.5 ULP,
// `sqrt` by more, and the f32 -> f16 conversion may round either way. So these work on the
// bits, with integer arithmetic.
//   div_rn(a, b)   a / b, for positive normal a, b
//   recip_rn(v)    1 / v, for positive normal v (cheaper than div_rn(1.0, v))
//   sqrt_rn(v)     sqrt(v), for positive normal v
//   round_f16(v), round_f16x4(v), round_bf16(v)   v rounded to f16 / bf16 (kept as f32)
//   opaque(v), opaque4(v)   v, through a step the compiler cannot see through. Mesa's
//     compilers reassociate f32 arithmetic (they may cancel an error-free sum's error
//     term, or turn (x * s) * w into x * (s * w)); passing an intermediate through
//     opaque() keeps its own rounding. Defined when the including shader first does
//     `#define OPAQUE_ZERO <a u32 uniform that is always 0>`.
// Rounding is to nearest, ties to even, everywhere.

#ifdef OPAQUE_ZERO
fn opaque(v: f32) -> f32 {
  return bitcast<f32>(bitcast<u32>(v) ^ OPAQUE_ZERO);
}

fn opaque4(v: vec4<f32>) -> vec4<f32> {
  return bitcast<vec4<f32>>(bitcast<vec4<u32>>(v) ^ vec4<u32>(OPAQUE_ZERO));
}
#endif

/** a / b correctly rounded, for positive normal a and b (restoring division of the
 *  24-bit significands: 24 quotient bits, a round bit and a sticky remainder). */
fn div_rn(a: f32, b: f32) -> f32 {
  let ua = bitcast<u32>(a);
  let ub = bitcast<u32>(b);
  let ea = i32(ua >> 23u);
  let eb = i32(ub >> 23u);
  if (ea == 0 || eb == 0 || ea == 255 || eb == 255) { return a / b; }
  var ma = (ua & 0x7FFFFFu) | 0x800000u;
  let mb = (ub & 0x7FFFFFu) | 0x800000u;
  var e = ea - eb + 127;
  if (ma < mb) {
    ma = ma << 1u;
    e -= 1;
  }
  var r = ma;  // < 2 * mb: the quotient is in [1, 2)
  var q = 0u;
  for (var i = 0u; i < 25u; i++) {
    q = q << 1u;
    if (r >= mb) {
      r -= mb;
      q |= 1u;
    }
    r = r << 1u;
  }
  var m = q >> 1u;
  if ((q & 1u) != 0u && (r != 0u || (m & 1u) != 0u)) { m += 1u; }
  if (m == 0x1000000u) {
    m = 0x800000u;
    e += 1;
  }
  if (e <= 0 || e >= 255) { return a / b; }
  return bitcast<f32>((u32(e) << 23u) | (m & 0x7FFFFFu));
}

/** a * b for a < 2^26 and b < 2^24, as a 64-bit integer (x: low word, y: high word). */
fn mul_u64(a: u32, b: u32) -> vec2<u32> {
  let ah = a >> 16u;
  let al = a & 0xFFFFu;
  let bh = b >> 16u;
  let bl = b & 0xFFFFu;
  let mid = ah * bl + al * bh;  // < 2^27
  let l0 = al * bl;
  let lo = l0 + (mid << 16u);
  return vec2<u32>(lo, ah * bh + (mid >> 16u) + select(0u, 1u, lo < l0));
}

fn sq_u64(a: u32) -> vec2<u32> {
  return mul_u64(a, a);
}

/** a <= b for 64-bit integers as (low, high) words. */
fn le_u64(a: vec2<u32>, b: vec2<u32>) -> bool {
  return a.y < b.y || (a.y == b.y && a.x <= b.x);
}

/** sqrt(v) correctly rounded, for positive normal v: WGSL's sqrt as a first guess, then
 *  fixed up with an exact integer test. With v = M * 2^E (M the 24-bit significand) and
 *  N = M * 2^k (k = 24 or 23, so that E - k is even), sqrt(N) lies in [2^23, 2^24) and
 *  the answer's significand s is sqrt(N) rounded: (2s - 1)^2 < 4N < (2s + 1)^2. No exact
 *  tie exists (an odd square is never 4N). */
fn sqrt_rn(v: f32) -> f32 {
  let u = bitcast<u32>(v);
  let be = u >> 23u;
  if (be == 0u || be >= 255u) { return sqrt(v); }
  let m = (u & 0x7FFFFFu) | 0x800000u;
  let e = i32(be) - 150;  // v = m * 2^e
  let k = select(23u, 24u, (e & 1) == 0);
  let n4 = vec2<u32>(m << (k + 2u), m >> (30u - k));  // 4N, < 2^51
  var s = u32(round(sqrt(f32(m) * f32(1u << k))));  // a guess within a few units
  for (var i = 0u; i < 16u; i++) {
    if (le_u64(sq_u64(2u * s + 1u), n4)) {
      s += 1u;
    } else if (!le_u64(sq_u64(2u * s - 1u), n4)) {
      s -= 1u;
    } else {
      break;
    }
  }
  // s * 2^((e - k) / 2), s in [2^23, 2^24] (2^24 carries into the exponent).
  let h = (e - i32(k)) / 2;
  return bitcast<f32>((u32(h + 149) << 23u) + s);
}

/** 1 / v correctly rounded, for positive normal v: WGSL's division as a first guess, fixed
 *  up with an exact integer test. With v = m * 2^e (m the 24-bit significand, not a power
 *  of two), 2^47 / m lies in (2^23, 2^24) and the answer's significand q is it rounded:
 *  (2q - 1) * m < 2^48 < (2q + 1) * m (no tie: m would have to divide 2^48). */
fn recip_rn(v: f32) -> f32 {
  let u = bitcast<u32>(v);
  let be = u >> 23u;
  if (be == 0u || be >= 253u) { return 1.0 / v; }
  let m = (u & 0x7FFFFFu) | 0x800000u;
  if (m == 0x800000u) { return bitcast<f32>((254u - be) << 23u); }  // a power of two: exact
  let two48 = vec2<u32>(0u, 0x10000u);
  var q = u32(round(140737488355328.0 / f32(m)));  // 2^47 / m, within a few units
  for (var i = 0u; i < 16u; i++) {
    if (!le_u64(two48, mul_u64(2u * q + 1u, m))) {
      q += 1u;
    } else if (le_u64(two48, mul_u64(2u * q - 1u, m))) {
      q -= 1u;
    } else {
      break;
    }
  }
  // q * 2^(-47 - (be - 150)), q in (2^23, 2^24] (2^24 carries into the exponent).
  return bitcast<f32>(((252u - be) << 23u) + q);
}

/** Each lane of x rounded to the nearest f16 (ties to even), as f32: inf past the f16
 *  range, NaN kept. */
fn round_f16x4(x: vec4<f32>) -> vec4<f32> {
  let b = bitcast<vec4<u32>>(x);
  let a = b & vec4<u32>(0x7FFFFFFFu);
  // Normal f16 range: keep 10 of the 23 mantissa bits.
  var r = (a + vec4<u32>(0xFFFu) + ((a >> vec4<u32>(13u)) & vec4<u32>(1u))) & vec4<u32>(0xFFFFE000u);
  // Below 2^-14 (f16 subnormals): multiples of 2^-24; round() ties to even.
  let sub = bitcast<vec4<u32>>(round(bitcast<vec4<f32>>(a) * 16777216.0) * 5.9604644775390625e-8);
  r = select(r, sub, a < vec4<u32>(0x38800000u));
  r = select(r, vec4<u32>(0x7F800000u), a >= vec4<u32>(0x477FF000u));  // >= 65520: rounds past 65504
  r = select(r, a, a > vec4<u32>(0x7F800000u));                        // NaN stays
  return bitcast<vec4<f32>>(r | (b & vec4<u32>(0x80000000u)));
}

fn round_f16(v: f32) -> f32 {
  return round_f16x4(vec4<f32>(v)).x;
}

/** x rounded to the nearest bf16 (ties to even), as f32 (ggml's fp32_to_bf16). */
fn round_bf16(v: f32) -> f32 {
  let u = bitcast<u32>(v);
  if ((u & 0x7FFFFFFFu) > 0x7F800000u) { return bitcast<f32>((u & 0xFFFF0000u) | 0x400000u); }
  return bitcast<f32>((u + 0x7FFFu + ((u >> 16u) & 1u)) & 0xFFFF0000u);
}
