// Activations X [M, K] f32 rounded the way ggml's CPU backend rounds them for a dot product
// with a weight of a given type (its vec_dot_type), bit for bit (src/cpu/quantize-q8.ts is
// the reference and says why each step is what it is):
//   Q8_0 / Q8_1 (32-blocks; legacy formats): d = f16(amax / 127), q = round(x * (127 / amax))
//     (Q8_1 also s = f16((amax / 127) * Σq));
//   Q8_K (256-blocks; K-quants): max = the first element of largest |x|,
//     iscale = -127 / max, q = min(127, round(iscale * x)), d = 1 / iscale (f32);
//   ROUND_F16 / ROUND_BF16 (f16 / bf16 weights): y = x rounded to f16 / bf16, kept as f32.
// Rounding is to nearest, ties to even, everywhere. WGSL's `/` may be off by 2.5 ULP, so
// divisions go through div_rn (exact); f16 rounding is done on the bits, not by
// pack2x16float (whose rounding direction WGSL leaves open): lib/exact-f32.wgsl.
// Bindings: x [M, K] f32; dst: the q8 words (Q8_*: quants, 4 int8 per u32 little-endian,
// row-major; then one f32 scale per block at word d_off; then Q8_1's s at word s_off) or
// y [M, K] f32 (ROUND_*); params.
// Dispatch: one invocation per block (QB elements; 4 for ROUND_*), a 2-D grid of WG.

struct Params {
  n_blocks: u32,  // M * K / QB
  d_off: u32,
  s_off: u32,
};

override WG: u32 = 64;

#include "lib/exact-f32.wgsl"

@group(0) @binding(0) var<storage, read> x: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

#ifdef Q8_K
const QB = 256u;
#else
#ifdef ROUND_F16
const QB = 4u;
#else
#ifdef ROUND_BF16
const QB = 4u;
#else
const QB = 32u;
#endif
#endif
#endif

/** Four int8 quants (as i32) packed little-endian into a u32. */
fn pack_i8(q: vec4<i32>) -> u32 {
  let b = bitcast<vec4<u32>>(q) & vec4<u32>(0xFFu);
  return b.x | (b.y << 8u) | (b.z << 16u) | (b.w << 24u);
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let blk = (wg.x + wg.y * nwg.x) * WG + lid;
  if (blk >= p.n_blocks) { return; }
  let v0 = blk * (QB / 4u);  // first vec4 (and out word) of the block
#ifdef ROUND_F16
  let v = x[v0];
  let r = round_f16x4(v);
  for (var j = 0u; j < 4u; j++) { dst[4u * v0 + j] = bitcast<u32>(r[j]); }
#else
#ifdef ROUND_BF16
  let v = x[v0];
  let r = vec4<f32>(round_bf16(v.x), round_bf16(v.y), round_bf16(v.z), round_bf16(v.w));
  for (var j = 0u; j < 4u; j++) { dst[4u * v0 + j] = bitcast<u32>(r[j]); }
#else
  var amax = 0.0;
  var vmax = 0.0;  // the first element with |x| = amax
  for (var i = 0u; i < QB / 4u; i++) {
    let v = x[v0 + i];
    for (var j = 0u; j < 4u; j++) {
      if (abs(v[j]) > amax) {
        amax = abs(v[j]);
        vmax = v[j];
      }
    }
  }
#ifdef Q8_K
  if (amax == 0.0) {
    for (var i = 0u; i < QB / 4u; i++) { dst[v0 + i] = 0u; }
    dst[p.d_off + blk] = 0u;
    return;
  }
  let iscale = -sign(vmax) * div_rn(127.0, amax);
  for (var i = 0u; i < QB / 4u; i++) {
    dst[v0 + i] = pack_i8(min(vec4<i32>(round(iscale * x[v0 + i])), vec4<i32>(127)));
  }
  dst[p.d_off + blk] = bitcast<u32>(-sign(vmax) * div_rn(1.0, abs(iscale)));
#else
  let id = select(0.0, div_rn(127.0, amax), amax != 0.0);
  var sum = 0;
  for (var i = 0u; i < QB / 4u; i++) {
    let q = vec4<i32>(round(x[v0 + i] * id));
    sum += q.x + q.y + q.z + q.w;
    dst[v0 + i] = pack_i8(q);
  }
  let d = select(0.0, div_rn(amax, 127.0), amax != 0.0);
  dst[p.d_off + blk] = bitcast<u32>(round_f16(d));
#ifdef Q8_1
  dst[p.s_off + blk] = bitcast<u32>(round_f16(d * f32(sum)));
#endif
#endif
#endif
#endif
}
