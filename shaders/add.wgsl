// Elementwise add: out = a + b (or a += b with INPLACE, for residual connections).
// Bindings: a, b, [out], params. Dispatch: ceil(n / WG) workgroups, as a 2-D grid.

struct Params {
  n: u32,  // elements
};

override WG: u32 = 256;

#ifdef INPLACE
@group(0) @binding(0) var<storage, read_write> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> a: array<f32>;
@group(0) @binding(1) var<storage, read> b: array<f32>;
@group(0) @binding(2) var<storage, read_write> out: array<f32>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let i = (wg.x + wg.y * nwg.x) * WG + lid;
  if (i >= p.n) { return; }
#ifdef INPLACE
  a[i] = a[i] + b[i];
#else
  out[i] = a[i] + b[i];
#endif
}
