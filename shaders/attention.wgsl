// Paged causal attention with grouped-query heads, reading K/V through block tables:
//   out[t, h, :] = softmax(q[t, h, :] · K[s, :kv]ᵀ * scale) · V[s, :kv]
// over the keys k < min(pos[t] + 1, ctx[s]) of token t's sequence s, kv head
// kv = h / group. q, out: [tokens, num_heads, HD] f32; pools: lib/kv-quant.wgsl (8/4-bit
// codes are dequantized here); the batch words `bi` (src/gpu/kv-batch.ts) hold
// positions, sequences, context lengths, block tables and the work lists.
// Softmax is online in f32 (running max m, sum l, unnormalized acc).
// Variants:
//   (default) split-KV decode: a workgroup per (listed token, kv head, head group, key
//            partition). Its HG query heads share every K/V load. Tiles of WG keys: one
//            key per invocation for q·k; for p·v each invocation owns head-dim quads
//            (4 dims) of a key lane (KS lanes split the keys when HD / 4 < WG), summed
//            once at the end. With SPLIT it writes partials
//            [item, head, part, HD + 2] = (acc, m, l) for COMBINE, else the output.
//   COMBINE  merges a token's partitions: a workgroup per (listed token, head).
//   PREFILL  tiled causal for prefill chunks: a workgroup per (R query tokens of a tile,
//            head); K then V tiles of BK keys are dequantized into workgroup memory and
//            shared by the R rows; TPR = WG / R invocations per row own its quads.
//   LLAMACPP llama.cpp's CPU rounding (f16 q, f16 output accumulator, keys one by one):
//            a workgroup per (token, head) for every token of the step; see below.
// Per-head max/sum over a tile are serial scans of workgroup memory (<= 64 keys), so no
// variant needs subgroups. Workgroup memory is read as vec4: llvmpipe's compile time
// grows with every unrolled scalar access. Loops over head_dim run to a uniform, not
// the HD override, for the same reason. Dispatch: 2-D grids; every early return
// depends only on the workgroup id and uniform loads, so barriers stay uniform.

struct Params {
  num_heads: u32,
  num_kv_heads: u32,
  group: u32,        // num_heads / num_kv_heads
  num_items: u32,    // listed tokens (decode, COMBINE) or tiles (PREFILL)
  block_size: u32,
  max_blocks: u32,   // block table columns
  scale: f32,        // softmax scale, usually 1 / sqrt(head_dim)
  scale_off: u32,    // first scale word of a pool (8/4-bit)
  pos_off: u32,      // word offsets into bi
  seq_off: u32,
  ctx_off: u32,
  bt_off: u32,
  list_off: u32,     // split token list (decode, COMBINE) or tiles (PREFILL)
  num_parts: u32,    // key partitions per token (decode, COMBINE)
  part_size: u32,    // keys per partition, a multiple of WG (decode, COMBINE)
  num_sub: u32,      // head groups per kv head (decode) or row blocks per tile (PREFILL)
  head_dim: u32,     // = HD
};

// Finite stand-in for -inf (WGSL need not keep infinities): exp(NEG_BIG - m) == 0.
const NEG_BIG: f32 = -3.0e38;

override WG: u32 = 64;
override HD: u32 = 128;     // head_dim, a multiple of 4
override Q4: u32 = HD / 4u; // quads per head

@group(0) @binding(0) var<storage, read> q: array<f32>;  // COMBINE: the partials
#ifdef COMBINE
@group(0) @binding(1) var<storage, read> bi: array<u32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
#else
@group(0) @binding(1) var<storage, read> kp: array<u32>;
@group(0) @binding(2) var<storage, read> vp: array<u32>;
@group(0) @binding(3) var<storage, read> bi: array<u32>;
@group(0) @binding(4) var<storage, read_write> out: array<f32>;
@group(0) @binding(5) var<uniform> p: Params;

#include "lib/kv-quant.wgsl"

fn kv_word(is_v: bool, i: u32) -> u32 {
  if (is_v) { return vp[i]; }
  return kp[i];
}

/** First word of the (slot, kv head) row. */
fn kv_row(slot: u32, kvh: u32) -> u32 {
  return (slot * p.num_kv_heads + kvh) * (HD / KV_EPW);
}

/** Physical slot of key k of sequence seq. */
fn kv_slot(seq: u32, k: u32) -> u32 {
  return bi[p.bt_off + seq * p.max_blocks + k / p.block_size] * p.block_size + k % p.block_size;
}

/** Scale of a (slot, kv head) row; 1 for 16-bit. */
fn kv_scale(is_v: bool, slot: u32, kvh: u32) -> f32 {
#ifdef KV_QUANT
  return bitcast<f32>(kv_word(is_v, p.scale_off + slot * p.num_kv_heads + kvh));
#else
  return 1.0;
#endif
}
#endif

/** Keys token t may attend to. */
fn num_keys(t: u32) -> u32 {
  let seq = bi[p.seq_off + t];
  return min(bi[p.pos_off + t] + 1u, bi[p.ctx_off + seq]);
}

#ifdef COMBINE
@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let id = wg.x + wg.y * nwg.x;
  if (id >= p.num_items * p.num_heads) { return; }
  let h = id % p.num_heads;
  let item = id / p.num_heads;
  let t = bi[p.list_off + item];
  let np = (num_keys(t) + p.part_size - 1u) / p.part_size;  // partitions that ran
  let stride = HD + 2u;
  let base = (item * p.num_heads + h) * p.num_parts * stride;
  var mx = NEG_BIG;
  for (var j = 0u; j < np; j++) { mx = max(mx, q[base + j * stride + HD]); }
  var l = 0.0;
  for (var j = 0u; j < np; j++) { l += q[base + j * stride + HD + 1u] * exp(q[base + j * stride + HD] - mx); }
  let inv = 1.0 / l;
  for (var d = lid; d < HD; d += WG) {
    var o = 0.0;
    for (var j = 0u; j < np; j++) { o += q[base + j * stride + d] * exp(q[base + j * stride + HD] - mx); }
    out[(t * p.num_heads + h) * HD + d] = o * inv;
  }
}
#else
#ifdef PREFILL
// Overrides R (rows), BK (keys per tile); define DPQ = ceil(Q4 / (WG / R)).
override R: u32 = 16;
override BK: u32 = 16;

var<workgroup> q_s: array<vec4<f32>, R * Q4>;    // pre-scaled q rows
var<workgroup> kv_s: array<vec4<f32>, BK * Q4>;  // the K tile, then the V tile, dequantized
var<workgroup> s_s: array<f32, R * BK>;          // scores [row, key]
var<workgroup> slot_s: array<u32, BK>;           // 0xffffffff past the keys
var<workgroup> nk_s: array<u32, R>;              // keys each row may see

/** Dequantizes the K (or V) rows of the current tile's keys into kv_s. */
fn stage(is_v: bool, kvh: u32, lid: u32) {
  let nq = p.head_dim / 4u;
  for (var i = lid; i < BK * nq; i += WG) {
    let j = i / nq;
    let qd = i % nq;
    let slot = slot_s[j];
    var v = vec4<f32>();
    if (slot != 0xffffffffu) { v = kv_quad(is_v, kv_row(slot, kvh), qd) * kv_scale(is_v, slot, kvh); }
    kv_s[j * Q4 + qd] = v;
  }
}

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let id = wg.x + wg.y * nwg.x;
  if (id >= p.num_items * p.num_heads * p.num_sub) { return; }
  let row0 = (id % p.num_sub) * R;
  let h = (id / p.num_sub) % p.num_heads;
  let tile = p.list_off + 3u * (id / (p.num_sub * p.num_heads));
  let seq = bi[tile];
  let cnt = bi[tile + 2u];
  if (row0 >= cnt) { return; }
  let tok0 = bi[tile + 1u] + row0;
  let nrows = min(R, cnt - row0);
  let kvh = h / p.group;
  let kend = num_keys(tok0 + nrows - 1u);  // positions rise within a chunk
  let nq = p.head_dim / 4u;
  for (var i = lid; i < R * nq; i += WG) {
    let r = i / nq;
    var v = vec4<f32>();
    if (r < nrows) {
      let o = ((tok0 + r) * p.num_heads + h) * HD + 4u * (i % nq);
      v = vec4<f32>(q[o], q[o + 1u], q[o + 2u], q[o + 3u]) * p.scale;
    }
    q_s[i] = v;
  }
  for (var r = lid; r < R; r += WG) {
    var nk = 0u;
    if (r < nrows) { nk = num_keys(tok0 + r); }
    nk_s[r] = nk;
  }
  let tpr = WG / R;
  let row = lid / tpr;
  let lane = lid % tpr;
  var m_run = NEG_BIG;
  var l_run = 0.0;
  var acc: array<vec4<f32>, DPQ>;  // acc[i]: quad lane + i * tpr of `row`
  workgroupBarrier();
  for (var kt = 0u; kt < kend; kt += BK) {
    if (lid < BK) {
      var slot = 0xffffffffu;
      if (kt + lid < kend) { slot = kv_slot(seq, kt + lid); }
      slot_s[lid] = slot;
    }
    workgroupBarrier();
    stage(false, kvh, lid);
    workgroupBarrier();
    for (var i = lid; i < R * BK; i += WG) {
      let r = i / BK;
      let j = i % BK;
      var s = NEG_BIG;
      if (kt + j < nk_s[r]) {
        s = 0.0;
        for (var qd = 0u; qd < nq; qd++) { s += dot(q_s[r * Q4 + qd], kv_s[j * Q4 + qd]); }
      }
      s_s[i] = s;
    }
    workgroupBarrier();
    stage(true, kvh, lid);
    workgroupBarrier();
    var mx = m_run;
    for (var j = 0u; j < BK; j++) { mx = max(mx, s_s[row * BK + j]); }
    let c = exp(m_run - mx);
    m_run = mx;
    l_run *= c;
    for (var i = 0u; i < DPQ; i++) { acc[i] *= c; }
    for (var j = 0u; j < min(BK, kend - kt); j++) {
      let pj = exp(s_s[row * BK + j] - mx);
      l_run += pj;
      for (var i = 0u; i < DPQ; i++) { acc[i] += pj * kv_s[j * Q4 + min(lane + i * tpr, Q4 - 1u)]; }
    }
    workgroupBarrier();
  }
  if (row < nrows) {
    let inv = 1.0 / l_run;
    let o = ((tok0 + row) * p.num_heads + h) * HD;
    for (var i = 0u; i < DPQ; i++) {
      let qd = lane + i * tpr;
      if (qd < Q4) {
        let v = acc[i] * inv;
        out[o + 4u * qd] = v.x;
        out[o + 4u * qd + 1u] = v.y;
        out[o + 4u * qd + 2u] = v.z;
        out[o + 4u * qd + 3u] = v.w;
      }
    }
  }
}
#else
#ifdef LLAMACPP
// ggml-cpu's flash attention for a batch of few queries with an f16 cache (ops.cpp,
// one_chunk): q rounded to f16; score = (the f32 nearest dot(q, k)) * scale, keys in order; the
// unnormalized output is an f16 vector: when a score raises the max m it is scaled by
// exp(m_old - m) and rounded, then every key adds v * exp(s - m) and rounds; the f32 sum
// l follows the same steps, and the output is acc * (1 / l). The key loop is serial
// (each step rounds), so a workgroup per (token, head): a tile's WG scores in parallel,
// then each invocation lid < head_dim / 4 walks the tile's keys for its quad of head dims.
var<workgroup> q_s: array<vec4<f32>, Q4>;  // q rounded to f16, unscaled
var<workgroup> s_s: array<f32, WG>;         // the tile's scores
var<workgroup> slot_s: array<u32, WG>;
var<workgroup> vsc_s: array<f32, WG>;

// opaque(v): v through a step the compiler cannot see through (num_parts is 0 in this
// variant): Mesa's compilers reassociate f32 arithmetic, which would cancel an error-free
// sum's error term.
#define OPAQUE_ZERO p.num_parts
#include "lib/exact-f32.wgsl"

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let id = wg.x + wg.y * nwg.x;
  if (id >= p.num_items * p.num_heads) { return; }
  let h = id % p.num_heads;
  let t = id / p.num_heads;  // every token of the step, in batch order
  let seq = bi[p.seq_off + t];
  let nk = num_keys(t);
  let kvh = h / p.group;
  let nq = p.head_dim / 4u;
  for (var i = lid; i < nq; i += WG) {
    let o = (t * p.num_heads + h) * HD + 4u * i;
    q_s[i] = round_f16x4(vec4<f32>(q[o], q[o + 1u], q[o + 2u], q[o + 3u]));
  }
  let qd = min(lid, Q4 - 1u);  // this invocation's quad (lid >= nq: none, skips the key walk)
  var acc = vec4<f32>();
  var m = NEG_BIG;
  var l = 0.0;
  workgroupBarrier();
  for (var kt = 0u; kt < nk; kt += WG) {
    let k = kt + lid;
    if (k < nk) {
      let slot = kv_slot(seq, k);
      slot_s[lid] = slot;
      vsc_s[lid] = kv_scale(true, slot, kvh);
      let row = kv_row(slot, kvh);
      // Each product of two f16 values is exact in f32; their sum is carried as hi + lo
      // (error-free additions), so s is the f32 nearest the exact dot, as ggml's f16 dot
      // gives for rows shorter than its SIMD step (it sums those in f64).
      var hi = 0.0;
      var lo = 0.0;
      for (var i = 0u; i < nq; i++) {
        let pr = kv_quad(false, row, i) * q_s[i];
        for (var c = 0u; c < 4u; c++) {
          let sum = opaque(hi + pr[c]);
          let bb = opaque(sum - hi);
          lo += opaque(opaque(hi - opaque(sum - bb)) + opaque(pr[c] - bb));
          hi = sum;
        }
      }
      s_s[lid] = (hi + lo) * kv_scale(false, slot, kvh) * p.scale;
    }
    workgroupBarrier();
    // Only the invocations that own a quad walk the keys: on a CPU adapter a SIMD batch
    // of lanes past them skips the loop (its exp and f16 rounding per key) altogether.
    for (var j = 0u; lid < nq && j < min(WG, nk - kt); j++) {
      let s = s_s[j];
      var vs = 1.0;
      if (s > m) {
        let ms = select(exp(m - s), 0.0, kt + j == 0u);  // the first key: nothing to rescale
        m = s;
        acc = round_f16x4(acc * ms);
        l = l * ms + 1.0;
      } else {
        vs = exp(s - m);
        l = l + vs;
      }
      let v = kv_quad(true, kv_row(slot_s[j], kvh), qd) * vsc_s[j];
      acc = round_f16x4(fma(v, vec4<f32>(vs), acc));
    }
    workgroupBarrier();
  }
  if (lid < nq) {
    let v = acc * (1.0 / l);
    let o = (t * p.num_heads + h) * HD + 4u * lid;
    out[o] = v.x;
    out[o + 1u] = v.y;
    out[o + 2u] = v.z;
    out[o + 3u] = v.w;
  }
}
#else
// Split-KV decode. Defines HG (query heads per workgroup), DPQ = ceil(Q4 / WG), SPLIT.
override KS: u32 = max(1u, WG / Q4);  // key lanes in p·v

// Pre-scaled q [head, quad]; at the end, the key lanes' acc [lane, head, quad].
var<workgroup> buf: array<vec4<f32>, KS * HG * Q4>;
var<workgroup> s_s: array<f32, HG * WG>;        // scores, then probabilities [head, key]
var<workgroup> slot_s: array<u32, WG>;
var<workgroup> vsc_s: array<f32, WG>;           // V scale per key
var<workgroup> m_s: array<f32, HG>;
var<workgroup> c_s: array<f32, HG>;             // per tile: rescale of acc and l; at the end: l

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u,
        @builtin(local_invocation_index) lid: u32) {
  let id = wg.x + wg.y * nwg.x;
  if (id >= p.num_items * p.num_kv_heads * p.num_sub * p.num_parts) { return; }
  let part = id % p.num_parts;
  let r = id / p.num_parts;
  let kvh = (r / p.num_sub) % p.num_kv_heads;
  let item = r / (p.num_sub * p.num_kv_heads);
  let t = bi[p.list_off + item];
  let seq = bi[p.seq_off + t];
  let k0 = part * p.part_size;
  let k1 = min(num_keys(t), k0 + p.part_size);
  if (k0 >= k1) { return; }  // a partition past this token's keys: COMBINE skips it
  let g0 = (r % p.num_sub) * HG;
  let ng = min(HG, p.group - g0);   // heads of this group that exist
  let h0 = kvh * p.group + g0;
  let nq = p.head_dim / 4u;
  for (var i = lid; i < HG * nq; i += WG) {
    var v = vec4<f32>();
    if (i / nq < ng) {
      let o = (t * p.num_heads + h0) * HD + 4u * i;
      v = vec4<f32>(q[o], q[o + 1u], q[o + 2u], q[o + 3u]) * p.scale;
    }
    buf[i] = v;
  }
  // p·v ownership: key lane `kl` takes keys j = kl, kl + KS, ...; quads q0 + i * WG.
  let q0 = lid % Q4;
  let kl = lid / Q4;
  var m_run = NEG_BIG;  // invocation lid < HG: head lid's running max and sum
  var l_run = 0.0;
  var acc: array<vec4<f32>, HG * DPQ>;  // acc[g * DPQ + i]
  workgroupBarrier();
  for (var kt = k0; kt < k1; kt += WG) {
    let k = kt + lid;
    if (k < k1) {
      let slot = kv_slot(seq, k);
      slot_s[lid] = slot;
      vsc_s[lid] = kv_scale(true, slot, kvh);
      let row = kv_row(slot, kvh);
      var sc: array<f32, HG>;
      for (var qd = 0u; qd < nq; qd++) {
        let x = kv_quad(false, row, qd);
        for (var g = 0u; g < HG; g++) { sc[g] += dot(x, buf[g * Q4 + qd]); }
      }
      let ks = kv_scale(false, slot, kvh);
      for (var g = 0u; g < HG; g++) { s_s[g * WG + lid] = sc[g] * ks; }
    } else {
      for (var g = 0u; g < HG; g++) { s_s[g * WG + lid] = NEG_BIG; }
    }
    workgroupBarrier();
    if (lid < HG) {
      var mx = m_run;
      for (var j = 0u; j < WG; j++) { mx = max(mx, s_s[lid * WG + j]); }
      c_s[lid] = exp(m_run - mx);
      m_s[lid] = mx;
      m_run = mx;
    }
    workgroupBarrier();
    for (var g = 0u; g < HG; g++) { s_s[g * WG + lid] = exp(s_s[g * WG + lid] - m_s[g]); }
    workgroupBarrier();
    if (lid < HG) {
      var sum = 0.0;
      for (var j = 0u; j < WG; j++) { sum += s_s[lid * WG + j]; }
      l_run = l_run * c_s[lid] + sum;
    }
    for (var i = 0u; i < DPQ; i++) {
      for (var g = 0u; g < HG; g++) { acc[g * DPQ + i] *= c_s[g]; }
    }
    if (kl < KS) {
      // Key loop outermost so the DPQ x HG loops unroll and acc keeps constant indices.
      for (var j = kl; j < min(WG, k1 - kt); j += KS) {
        let row = kv_row(slot_s[j], kvh);
        let vs = vsc_s[j];
        for (var i = 0u; i < DPQ; i++) {
          let v = kv_quad(true, row, min(q0 + i * WG, Q4 - 1u)) * vs;  // quads past Q4: never stored
          for (var g = 0u; g < HG; g++) { acc[g * DPQ + i] += s_s[g * WG + j] * v; }
        }
      }
    }
    workgroupBarrier();
  }
  if (lid < HG) {
    m_s[lid] = m_run;
    c_s[lid] = l_run;
  }
  // Each key lane parks its acc in buf (q is no longer needed); the writers sum the lanes.
  if (kl < KS) {
    for (var i = 0u; i < DPQ; i++) {
      let qd = q0 + i * WG;
      if (qd < Q4) {
        for (var g = 0u; g < HG; g++) { buf[(kl * HG + g) * Q4 + qd] = acc[g * DPQ + i]; }
      }
    }
  }
  workgroupBarrier();
  for (var e = lid; e < ng * HD; e += WG) {
    let g = e / HD;
    let d = e % HD;
    var v = 0.0;
    for (var lane = 0u; lane < KS; lane++) { v += buf[(lane * HG + g) * Q4 + d / 4u][d % 4u]; }
#ifdef SPLIT
    out[((item * p.num_heads + h0 + g) * p.num_parts + part) * (HD + 2u) + d] = v;
#else
    out[(t * p.num_heads + h0 + g) * HD + d] = v / c_s[g];
#endif
  }
#ifdef SPLIT
  if (lid < ng) {
    let o = ((item * p.num_heads + h0 + lid) * p.num_parts + part) * (HD + 2u) + HD;
    out[o] = m_s[lid];
    out[o + 1u] = c_s[lid];
  }
#endif
}
#endif
#endif
#endif
