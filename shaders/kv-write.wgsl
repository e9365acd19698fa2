// Writes the K and V of a step's new tokens into their KV-cache slots, quantizing on write.
// k_new, v_new: [tokens, num_kv_heads, HD] f32 (after RoPE); pools: lib/kv-quant.wgsl.
// The slot of token t is bi[slot_off + t] (src/gpu/kv-batch.ts); 0xffffffff skips it.
// 8/4-bit: scale = absmax / KV_QMAX over the (token, kv head) row, codes =
// clamp(round(x * (1 / scale)), -KV_QMAX, KV_QMAX), round half to even (src/cpu/kv-write.ts
// mirrors the arithmetic).
// Bindings: k_new, v_new, k_pool, v_pool, batch words, params.
// Dispatch: one workgroup per (token, kv head, K|V), as a 2-D grid.

#include "lib/reduce.wgsl"
#include "lib/kv-quant.wgsl"

struct Params {
  num_tokens: u32,
  num_kv_heads: u32,
  slot_off: u32,   // word offset of the slot mapping in bi
  scale_off: u32,  // first scale word of a pool (8/4-bit)
};

override WG: u32 = 64;
override HD: u32 = 128;  // head_dim

@group(0) @binding(0) var<storage, read> k_new: array<f32>;
@group(0) @binding(1) var<storage, read> v_new: array<f32>;
@group(0) @binding(2) var<storage, read_write> kp: array<u32>;
@group(0) @binding(3) var<storage, read_write> vp: array<u32>;
@group(0) @binding(4) var<storage, read> bi: array<u32>;
@group(0) @binding(5) var<uniform> p: Params;

fn load(is_v: bool, i: u32) -> f32 {
  if (is_v) { return v_new[i]; }
  return k_new[i];
}

fn kv_word(is_v: bool, i: u32) -> u32 {
  if (is_v) { return vp[i]; }
  return kp[i];
}

fn store(is_v: bool, i: u32, w: u32) {
  if (is_v) { vp[i] = w; } else { kp[i] = w; }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32 SG_ARGS) {
  SG_INIT
  let id = wg.x + wg.y * nwg.x;
  if (id >= p.num_tokens * p.num_kv_heads * 2u) { return; }  // workgroup-uniform
  let is_v = (id & 1u) == 1u;
  let row = id >> 1u;  // token * num_kv_heads + kv_head
  let slot = bi[p.slot_off + row / p.num_kv_heads];
  if (slot == 0xffffffffu) { return; }
  let kvh = row % p.num_kv_heads;
  let src = row * HD;
  let wph = HD / KV_EPW;
  let dst = (slot * p.num_kv_heads + kvh) * wph;
#ifdef KV_QUANT
  var mx = 0.0;
  for (var i = lid; i < HD; i += WG) { mx = max(mx, abs(load(is_v, src + i))); }
  let amax = wg_max(mx, lid);
  let scale = amax / KV_QMAX;
  let inv = select(0.0, 1.0 / scale, amax > 0.0);
  let mask = (1u << KV_BITS) - 1u;
  for (var w = lid; w < wph; w += WG) {
    var word = 0u;
    for (var e = 0u; e < KV_EPW; e++) {
      let q = clamp(round(load(is_v, src + w * KV_EPW + e) * inv), -KV_QMAX, KV_QMAX);
      word |= (bitcast<u32>(i32(q)) & mask) << (e * KV_BITS);
    }
    store(is_v, dst + w, word);
  }
  if (lid == 0u) { store(is_v, p.scale_off + slot * p.num_kv_heads + kvh, bitcast<u32>(scale)); }
#else
  for (var w = lid; w < wph; w += WG) {
    store(is_v, dst + w, pack2x16float(vec2<f32>(load(is_v, src + 2u * w), load(is_v, src + 2u * w + 1u))));
  }
#endif
}
