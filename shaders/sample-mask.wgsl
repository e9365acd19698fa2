// Grammar masks for constrained decoding, applied in place to the logits after
// sample-penalize.wgsl and before sampling: bit (id & 31) of word (id >> 5) of a row's mask
// set = token `id` allowed; a cleared bit writes MASKED into that logit. Only the rows that
// carry a mask are touched (unconstrained rows in the batch are left exactly as they are).
// MASKED is finite, not -inf: WGSL lets implementations assume no infinities. Its mass
// exp((MASKED - m) / T) underflows to 0 for every T the sampler accepts (>= 1e-5), and it
// lies far below any real logit, so argmax, min-p, top-k and top-p never keep it while an
// allowed token exists.
// Bindings: x [rows * n] f32 (read_write), masks (u32 words: the masked rows' batch row
// indices [count], then their masks [count, words]), params.
// One invocation per mask word (32 logits). Dispatch: ceil(count * words / 64), 2-D grid.

const MASKED: f32 = -1.0e30;

struct Params {
  count: u32,  // masked rows
  words: u32,  // u32 words per mask = ceil(n / 32)
  n: u32,      // logits per row
};

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read> masks: array<u32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= p.count * p.words) { return; }
  let bits = masks[p.count + i];
  if (bits == 0xffffffffu) { return; }
  let k = i / p.words;
  let w = i - k * p.words;
  let first = w * 32u;
  let base = masks[k] * p.n + first;
  let len = min(32u, p.n - first);
  for (var b = 0u; b < len; b++) {
    if (((bits >> b) & 1u) == 0u) { x[base + b] = MASKED; }
  }
}
