// Kernels the doctor and the benchmarks time to describe an adapter.
//   read_sum: streams a large buffer (vec4<f32> loads) and writes one partial sum per
//             invocation, so the figure is read bandwidth, not write bandwidth.
//   noop:     one invocation writing one word: per-dispatch overhead.
// Bindings: src (read), dst (read_write), params.

struct Params {
  n_vec4: u32,   // vec4 elements in src
  stride: u32,   // total invocations in the grid (grid-stride loop step)
};

override WG: u32 = 256;

@group(0) @binding(0) var<storage, read> src: array<vec4<f32>>;
@group(0) @binding(1) var<storage, read_write> dst: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;

@compute @workgroup_size(WG)
fn read_sum(@builtin(global_invocation_id) gid: vec3u) {
  var acc = vec4<f32>(0.0);
  for (var i = gid.x; i < p.n_vec4; i += p.stride) {
    acc += src[i];
  }
  dst[gid.x] = acc.x + acc.y + acc.z + acc.w;
}

@compute @workgroup_size(1)
fn noop(@builtin(global_invocation_id) gid: vec3u) {
  // Touches every binding: 'auto' layouts omit unused ones, and the host binds all three.
  dst[gid.x] = src[0].x + f32(p.n_vec4);
}
