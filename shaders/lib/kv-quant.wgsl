// KV cache element codecs, shared by kv-write (encode) and attention (decode).
// A pool (one layer's K or V, src/gpu/kv-cache.ts) is array<u32>: packed elements
// [slot, kv_head, head_dim / KV_EPW], then for 8/4-bit one f32 scale per (slot, kv_head).
// Defines from the host: KV_BITS = 16 | 8 | 4, and KV_QUANT for 8 and 4.
//   16: two f16 per word (pack2x16float), no scale: works without shader-f16.
//    8: four int8 per word, two's complement, value = q * scale, scale = absmax / 127.
//    4: eight int4 per word, two's complement in [-7, 7], scale = absmax / 7.
// Element e of a word occupies bits [e * KV_BITS, (e + 1) * KV_BITS).

const KV_EPW: u32 = 32u / KV_BITS;

#ifdef KV_QUANT
const KV_QMAX: f32 = f32((1 << (KV_BITS - 1)) - 1);
#endif

/** Elements 4 * qd .. 4 * qd + 3 of a row whose packed words start at w[0] = word `base`
 *  (f16 values, or integer codes for 8/4-bit). The including shader defines
 *  kv_word(is_v, i): word i of the K (or V) pool. Needs head_dim % 4 == 0. */
fn kv_quad(is_v: bool, base: u32, qd: u32) -> vec4<f32> {
#ifdef KV_QUANT
  // Element e sits in bits [e * KV_BITS, (e + 1) * KV_BITS): shift it to the top, then
  // arithmetic-shift it down to sign-extend.
  let w = bitcast<i32>(kv_word(is_v, base + qd * 4u / KV_EPW));
  let e0 = (qd * 4u) % KV_EPW;
  let sh = vec4<u32>(32u) - KV_BITS * (vec4<u32>(1u, 2u, 3u, 4u) + e0);
  return vec4<f32>((vec4<i32>(w) << sh) >> vec4<u32>(32u - KV_BITS));
#else
  let i = base + qd * 2u;
  return vec4<f32>(unpack2x16float(kv_word(is_v, i)), unpack2x16float(kv_word(is_v, i + 1u)));
#endif
}
