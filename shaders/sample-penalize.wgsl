// logit_bias and presence/frequency/repetition penalties, applied in place to the logits
// before sampling: one invocation per edit (a sparse list built by src/sample/sequence.ts,
// one edit per (row, token), so no two invocations touch the same logit):
//   v = x + bias;  v = v > 0 ? v * mul_pos : v * mul_neg;  v = v - sub
// The unedited logit is kept in the edit (`orig`) for raw logprobs of the sampled token.
// Bindings: x [rows * n] f32 (read_write), edits, params. Dispatch: ceil(count / 64), 2-D grid.

struct Params {
  count: u32,  // edits
};

struct Edit {
  idx: u32,  // row * n + token id
  bias: f32,
  mul_pos: f32,
  mul_neg: f32,
  sub: f32,
  orig: f32,  // written here
};

@group(0) @binding(0) var<storage, read_write> x: array<f32>;
@group(0) @binding(1) var<storage, read_write> edits: array<Edit>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(64)
fn main(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
  let i = gid.x + gid.y * nwg.x * 64u;
  if (i >= p.count) { return; }
  let e = edits[i];
  let orig = x[e.idx];
  edits[i].orig = orig;
  var v = orig + e.bias;
  v = select(v * e.mul_neg, v * e.mul_pos, v > 0.0);
  x[e.idx] = v - e.sub;
}
