// GGML weight formats decoded from their raw file bytes (the CPU codecs in
// src/loader/quant/ are the reference). The including shader binds one chunk of W's
// rows as `w: array<u32>`, row n starting at byte n * row_bytes, and defines one of
// W_BF16, W_Q8_0, W_Q4_0, W_Q4_1, W_Q5_0, W_Q5_1, W_Q4_K, W_Q5_K, W_Q6_K.
// Q4_0, Q5_0, Q8_0 and Q6_K blocks (18, 22, 34, 210 bytes) are only 2-byte aligned, so
// their fields are read as u32 loads + shifts from an even byte offset.
//
// Two views of a row starting at byte rb:
//  - units, for the GEMV: q_unit(rb, u) is unit u, QU_ELEMS elements (32; 16 for bf16)
//    that one invocation decodes at once, reading each quant and scale byte once.
//    q_w4(unit, i) is its i-th vec4 of weights (i < QU_V4) and q_xi(u, i) the vec4
//    index in the row of the matching elements. A unit's 16 `lo` and 16 `hi` elements
//    need not be adjacent: a Q4_K unit is 16 elements of sub-block 2p (low nibbles) and
//    the 16 of sub-block 2p+1 that share those bytes (high nibbles), 32 elements on.
//  - q_dq4(rb, e): elements e .. e+3 (e % 4 == 0), for the GEMM's tile loads; it is
//    q_deq(q_raw4(rb, e), q_so(rb, e)): the 4 quants as bytes of a u32 and the (s, o) of
//    the 16-element run holding e (one scale for a run in every format).
// Quants are unpacked to one u32 per 4 elements, one element per byte (0..255, Q8_0
// offset by 128), so every type ends in the same x = s * q + o in f32.
//
// For dot products with q8 activations (X_Q8, see shaders/quantize-q8.wgsl) each block
// format also says how ggml pairs it (the weight's vec_dot_type), so the kernels can sum
// integer products per run and scale them once, as ggml does:
//   Q_XB   elements per activation block: 32 (q8_0 / q8_1) or 256 (q8_K)
//   Q_RUN  elements that share every scale on both sides: 32, or 16 for Q6_K's sub-blocks
//   Q_Z    the zero point: x = s * (q - Q_Z) for Q4_0 (8), Q5_0 (16), Q8_0 (128), Q6_K (32);
//          0 where the offset is a separate min (then o is it):
//   Q_MIN_SUB    o is -dmin * m of the run (Q4_K, Q5_K): adds o * dx * Σ qx
//   Q_MIN_BLOCK  o is the block's f16 min (Q4_1, Q5_1): adds o * s_x, q8_1's f16 d·Σq
//   Q_MIN        either of the two

struct QUnit {
  lo: vec4<u32>,
  hi: vec4<u32>,
  s: vec2<f32>,  // scale of the lo and the hi elements
  o: vec2<f32>,  // offset: x = s * q + o
};

const M4 = 0x0F0F0F0Fu;

/** The u32 at byte b of w (b even). */
fn q_ld(b: u32) -> u32 {
  let i = b >> 2u;
  if ((b & 2u) == 0u) { return w[i]; }
  return (w[i] >> 16u) | (w[i + 1u] << 16u);
}

/** Four u32s from byte b (b even). */
fn q_ld4(b: u32) -> vec4<u32> {
  let i = b >> 2u;
  let a = vec4<u32>(w[i], w[i + 1u], w[i + 2u], w[i + 3u]);
  if ((b & 2u) == 0u) { return a; }
  return (a >> vec4<u32>(16u)) | (vec4<u32>(a.yzw, w[i + 4u]) << vec4<u32>(16u));
}

/** Four u32s from byte b (b % 4 == 0). */
fn q_ld4a(b: u32) -> vec4<u32> {
  let i = b >> 2u;
  return vec4<u32>(w[i], w[i + 1u], w[i + 2u], w[i + 3u]);
}

/** The f16 at byte b (b even), as f32. */
fn q_f16(b: u32) -> f32 {
  return unpack2x16float(w[b >> 2u] >> ((b & 2u) * 8u)).x;
}

/** The 4 byte-wide quants of v (little-endian order) as f32. */
fn q_qf(v: u32) -> vec4<f32> {
  return vec4<f32>((vec4<u32>(v) >> vec4<u32>(0u, 8u, 16u, 24u)) & vec4<u32>(0xFFu));
}

/** The 4 signed bytes of v (little-endian order) as f32: int8 activation quants (X_Q8). */
fn q_i8x4(v: u32) -> vec4<f32> {
  return vec4<f32>((vec4<i32>(bitcast<i32>(v)) << vec4<u32>(24u, 16u, 8u, 0u)) >> vec4<u32>(24u));
}

/** s * q + o for the 4 byte-wide quants of v. */
fn q_deq(v: u32, s: f32, o: f32) -> vec4<f32> {
  return fma(vec4<f32>(s), q_qf(v), vec4<f32>(o));
}

/** Nibble h (0 low, 1 high) of each byte of v, one per byte. */
fn q_nib(v: vec4<u32>, h: u32) -> vec4<u32> {
  return (v >> vec4<u32>(4u * h)) & vec4<u32>(M4);
}

/** Bits 0..3 of each t spread to bit 4 of each byte: the fifth bits of 4 Q5 quants. */
fn q_bit5(t: vec4<u32>) -> vec4<u32> {
  return (((t & vec4<u32>(15u)) * 0x204081u) & vec4<u32>(0x01010101u)) << vec4<u32>(4u);
}

#ifdef W_BF16
const QU_ELEMS = 16u;
const QU_V4 = 4u;
fn q_xi(u: u32, i: u32) -> u32 { return u * 4u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 32u;
  return QUnit(q_ld4a(b), q_ld4a(b + 16u), vec2<f32>(1.0), vec2<f32>(0.0));
}
/** Two u32s of bf16 pairs as 4 f32: a bf16 is the top half of an f32. */
fn q_bf16x4(a: u32, b: u32) -> vec4<f32> {
  return bitcast<vec4<f32>>(vec4<u32>(a << 16u, a & 0xFFFF0000u, b << 16u, b & 0xFFFF0000u));
}
fn q_w4(q: QUnit, i: u32) -> vec4<f32> {
  let v = select(q.lo, q.hi, i >= 2u);
  let j = (i & 1u) * 2u;
  return q_bf16x4(v[j], v[j + 1u]);
}
fn q_dq4(rb: u32, e: u32) -> vec4<f32> {
  let i = (rb + e * 2u) >> 2u;
  return q_bf16x4(w[i], w[i + 1u]);
}
#else
const QU_ELEMS = 32u;
const QU_V4 = 8u;
fn q_w4(q: QUnit, i: u32) -> vec4<f32> {
  let h = i >= 4u;
  return q_deq(select(q.lo[i & 3u], q.hi[i & 3u], h), select(q.s.x, q.s.y, h), select(q.o.x, q.o.y, h));
}
#endif

// Legacy formats: one 32-element block per unit, elements j and j + 16 in the low and
// high nibble of byte j (Q5: fifth bit j / j + 16 of the u32 qh).
#ifdef W_Q4_0
// f16 d, qs[16]; x = d * (q - 8)
fn q_xi(u: u32, i: u32) -> u32 { return u * 8u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 18u;
  let d = q_f16(b);
  let qs = q_ld4(b + 2u);
  return QUnit(q_nib(qs, 0u), q_nib(qs, 1u), vec2<f32>(d), vec2<f32>(-8.0 * d));
}
const Q_Z = 8.0;
const Q_XB = 32u;
const Q_RUN = 32u;
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 5u) * 18u;
  let j = e & 31u;
  return q_nib(vec4<u32>(q_ld(b + 2u + (j & 15u))), j >> 4u).x;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  let d = q_f16(rb + (e >> 5u) * 18u);
  return vec2<f32>(d, -8.0 * d);
}
#endif

#ifdef W_Q4_1
// f16 d, f16 m, qs[16]; x = d * q + m
fn q_xi(u: u32, i: u32) -> u32 { return u * 8u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 20u;
  let dm = unpack2x16float(w[b >> 2u]);
  let qs = q_ld4a(b + 4u);
  return QUnit(q_nib(qs, 0u), q_nib(qs, 1u), vec2<f32>(dm.x), vec2<f32>(dm.y));
}
const Q_Z = 0.0;
const Q_XB = 32u;
const Q_RUN = 32u;
#define Q_MIN_BLOCK
#define Q_MIN
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 5u) * 20u;
  let j = e & 31u;
  return q_nib(vec4<u32>(w[(b + 4u + (j & 15u)) >> 2u]), j >> 4u).x;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  return unpack2x16float(w[(rb + (e >> 5u) * 20u) >> 2u]);
}
#endif

#ifdef W_Q5_0
// f16 d, u32 qh, qs[16]; x = d * (q - 16)
fn q_xi(u: u32, i: u32) -> u32 { return u * 8u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 22u;
  let d = q_f16(b);
  let t = vec4<u32>(q_ld(b + 2u)) >> vec4<u32>(0u, 4u, 8u, 12u);
  let qs = q_ld4(b + 6u);
  return QUnit(q_nib(qs, 0u) | q_bit5(t), q_nib(qs, 1u) | q_bit5(t >> vec4<u32>(16u)), vec2<f32>(d), vec2<f32>(-16.0 * d));
}
const Q_Z = 16.0;
const Q_XB = 32u;
const Q_RUN = 32u;
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 5u) * 22u;
  let j = e & 31u;
  return (q_nib(vec4<u32>(q_ld(b + 6u + (j & 15u))), j >> 4u) | q_bit5(vec4<u32>(q_ld(b + 2u) >> j))).x;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  let d = q_f16(rb + (e >> 5u) * 22u);
  return vec2<f32>(d, -16.0 * d);
}
#endif

#ifdef W_Q5_1
// f16 d, f16 m, u32 qh, qs[16]; x = d * q + m
fn q_xi(u: u32, i: u32) -> u32 { return u * 8u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 24u;
  let dm = unpack2x16float(w[b >> 2u]);
  let t = vec4<u32>(w[(b >> 2u) + 1u]) >> vec4<u32>(0u, 4u, 8u, 12u);
  let qs = q_ld4a(b + 8u);
  return QUnit(q_nib(qs, 0u) | q_bit5(t), q_nib(qs, 1u) | q_bit5(t >> vec4<u32>(16u)), vec2<f32>(dm.x), vec2<f32>(dm.y));
}
const Q_Z = 0.0;
const Q_XB = 32u;
const Q_RUN = 32u;
#define Q_MIN_BLOCK
#define Q_MIN
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 5u) * 24u;
  let j = e & 31u;
  return (q_nib(vec4<u32>(w[(b + 8u + (j & 15u)) >> 2u]), j >> 4u) | q_bit5(vec4<u32>(w[(b >> 2u) + 1u] >> j))).x;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  return unpack2x16float(w[(rb + (e >> 5u) * 24u) >> 2u]);
}
#endif

#ifdef W_Q8_0
// f16 d, i8 qs[32]; x = d * q (bytes flipped to unsigned q + 128, offset -128 d)
fn q_xi(u: u32, i: u32) -> u32 { return u * 8u + i; }
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + u * 34u;
  let d = q_f16(b);
  let flip = vec4<u32>(0x80808080u);
  return QUnit(q_ld4(b + 2u) ^ flip, q_ld4(b + 18u) ^ flip, vec2<f32>(d), vec2<f32>(-128.0 * d));
}
const Q_Z = 128.0;
const Q_XB = 32u;
const Q_RUN = 32u;
fn q_raw4(rb: u32, e: u32) -> u32 {
  return q_ld(rb + (e >> 5u) * 34u + 2u + (e & 31u)) ^ 0x80808080u;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  let d = q_f16(rb + (e >> 5u) * 34u);
  return vec2<f32>(d, -128.0 * d);
}
#endif

// K-quants: 256-element super-blocks of 8 units; unit u lies in super-block u / 8.
#ifdef W_Q4_K
#define W_QK45
const QK_BYTES = 144u;  // f16 d, f16 dmin, scales[12], qs[128]
const QK_QS = 16u;
#endif
#ifdef W_Q5_K
#define W_QK45
const QK_BYTES = 176u;  // f16 d, f16 dmin, scales[12], qh[32], qs[128]
const QK_QS = 48u;
#endif

#ifdef W_QK45
// Q4_K / Q5_K: 8 sub-blocks of 32 with 6-bit scale sc_j and min m_j; x = d*sc_j*q - dmin*m_j.
// Sub-blocks 2p and 2p+1 share qs bytes 32p .. 32p+31 (low, high nibbles); unit 2p + h
// takes the half h of those bytes: elements 64p + 16h + l and 64p + 32 + 16h + l, l < 16.
fn q_xi(u: u32, i: u32) -> u32 {
  return (u >> 3u) * 64u + ((u >> 1u) & 3u) * 16u + (u & 1u) * 4u + i + select(0u, 4u, i >= 4u);
}
/** (sc, m) of sub-block j from the 12 scale bytes as 3 words (see k-quants.ts scaleMin). */
fn q_scale_min(s: vec3<u32>, j: u32) -> vec2<f32> {
  let sh = (j & 3u) * 8u;
  let a = vec2<u32>(s.x, s.y) >> vec2<u32>(sh);
  let c = (s.z >> sh) & 0xFFu;
  let hi = vec2<u32>(c & 15u, c >> 4u) | (((a >> vec2<u32>(6u)) & vec2<u32>(3u)) << vec2<u32>(4u));
  return vec2<f32>(select(hi, a & vec2<u32>(63u), j < 4u));
}
/** x = s * q + o of sub-block j, given the block's first 4 words (d, dmin, scales). */
fn q_k_so(h: vec4<u32>, j: u32) -> vec2<f32> {
  let dm = unpack2x16float(h.x);
  let sm = q_scale_min(h.yzw, j);
  return vec2<f32>(dm.x * sm.x, -(dm.y * sm.y));
}
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + (u >> 3u) * QK_BYTES;
  let p = (u >> 1u) & 3u;
  let l = (u & 1u) * 16u;
  let head = q_ld4a(b);
  let s0 = q_k_so(head, 2u * p);
  let s1 = q_k_so(head, 2u * p + 1u);
  let qs = q_ld4a(b + QK_QS + 32u * p + l);
  var lo = q_nib(qs, 0u);
  var hi = q_nib(qs, 1u);
#ifdef W_Q5_K
  let qh = q_ld4a(b + 16u + l);
  lo |= ((qh >> vec4<u32>(2u * p)) & vec4<u32>(0x01010101u)) << vec4<u32>(4u);
  hi |= ((qh >> vec4<u32>(2u * p + 1u)) & vec4<u32>(0x01010101u)) << vec4<u32>(4u);
#endif
  return QUnit(lo, hi, vec2<f32>(s0.x, s1.x), vec2<f32>(s0.y, s1.y));
}
const Q_Z = 0.0;
const Q_XB = 256u;
const Q_RUN = 32u;
#define Q_MIN_SUB
#define Q_MIN
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 8u) * QK_BYTES;
  let j = (e >> 5u) & 7u;
  let l = e & 31u;
  var v = q_nib(vec4<u32>(w[(b + QK_QS + 32u * (j >> 1u) + l) >> 2u]), j & 1u).x;
#ifdef W_Q5_K
  v |= ((w[(b + 16u + l) >> 2u] >> j) & 0x01010101u) << 4u;
#endif
  return v;
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  return q_k_so(q_ld4a(rb + (e >> 8u) * QK_BYTES), (e >> 5u) & 7u);
}
#endif

#ifdef W_Q6_K
// ql[128], qh[64], i8 scales[16], f16 d; 16 sub-blocks of 16, x = d * sc * (q - 32).
// Half h (128 elements) uses ql[64h ..], qh[32h ..]: element 128h + 32c + l (quarter
// c, l < 32) is nibble c >> 1 of ql[64h + 32(c & 1) + l] plus bits 2c, 2c+1 of
// qh[32h + l] as bits 4, 5, with scale sc[8h + 2c + l / 16]. Unit 4h + 2a + g takes
// quarters a (lo) and a + 2 (hi), l = 16g .. 16g+15: one 16-byte run of ql.
fn q_xi(u: u32, i: u32) -> u32 {
  return (u >> 3u) * 64u + ((u >> 2u) & 1u) * 32u + ((u >> 1u) & 1u) * 8u + (u & 1u) * 4u + i + select(0u, 12u, i >= 4u);
}
fn q_unit(rb: u32, u: u32) -> QUnit {
  let b = rb + (u >> 3u) * 210u;
  let h = (u >> 2u) & 1u;
  let a = (u >> 1u) & 1u;
  let g = u & 1u;
  let ql = q_ld4(b + 64u * h + 32u * a + 16u * g);
  let qh = q_ld4(b + 128u + 32u * h + 16u * g);
  let m2 = vec4<u32>(0x03030303u);
  let lo = q_nib(ql, 0u) | (((qh >> vec4<u32>(2u * a)) & m2) << vec4<u32>(4u));
  let hi = q_nib(ql, 1u) | (((qh >> vec4<u32>(2u * a + 4u)) & m2) << vec4<u32>(4u));
  let k = (2u * a + g) * 8u;
  let sc = vec2<i32>(extractBits(i32(q_ld(b + 192u + 8u * h)), k, 8u), extractBits(i32(q_ld(b + 196u + 8u * h)), k, 8u));
  let s = q_f16(b + 208u) * vec2<f32>(sc);
  return QUnit(lo, hi, s, -32.0 * s);
}
const Q_Z = 32.0;
const Q_XB = 256u;
const Q_RUN = 16u;
fn q_raw4(rb: u32, e: u32) -> u32 {
  let b = rb + (e >> 8u) * 210u;
  let h = (e >> 7u) & 1u;
  let c = (e >> 5u) & 3u;
  let l = e & 31u;
  let ql = q_nib(vec4<u32>(q_ld(b + 64u * h + 32u * (c & 1u) + l)), c >> 1u).x;
  let qh = (q_ld(b + 128u + 32u * h + l) >> (2u * c)) & 0x03030303u;
  return ql | (qh << 4u);
}
fn q_so(rb: u32, e: u32) -> vec2<f32> {
  let b = rb + (e >> 8u) * 210u;
  let k = (e >> 4u) & 15u;  // scale byte: 16-element run of the block
  let s = q_f16(b + 208u) * f32(extractBits(i32(q_ld(b + 192u + (k & 14u))), (k & 1u) * 8u, 8u));
  return vec2<f32>(s, -32.0 * s);
}
#endif

#ifndef W_BF16
fn q_dq4(rb: u32, e: u32) -> vec4<f32> {
  let so = q_so(rb, e);
  return q_deq(q_raw4(rb, e), so.x, so.y);
}
#endif
