// Elementwise add: out = a + b (or a += b with INPLACE, for residual connections).
// Bindings: a, b, [out], params.
// VEC4 (host: n % 4 == 0): the arrays are read as vec4s and p.n counts vec4s. Each
// invocation handles E elements WG apart in its workgroup's block of WG * E (consecutive
// invocations stay on consecutive addresses). On lavapipe (8 invocations per SIMD
// iteration, each load a gather) per-invocation overhead dominates: add of 262144 floats,
// same run: scalar E = 1 1.0 GB/s, vec4 E = 1 3.6, vec4 E = 8 5.5 (E = 16 alike; it fits
// in cache, so it beats the 64 MiB read probe). The host picks E (kernels/add.ts).
// Dispatch: ceil(n / (WG * E)) workgroups, as a 2-D grid.

struct Params {
  n: u32,  // elements (vec4s with VEC4)
};

override WG: u32 = 256;
override E: u32 = 1;

#ifdef VEC4
#define VT vec4<f32>
#else
#define VT f32
#endif

#ifdef INPLACE
@group(0) @binding(0) var<storage, read_write> a: array<VT>;
@group(0) @binding(1) var<storage, read> b: array<VT>;
@group(0) @binding(2) var<uniform> p: Params;
#else
@group(0) @binding(0) var<storage, read> a: array<VT>;
@group(0) @binding(1) var<storage, read> b: array<VT>;
@group(0) @binding(2) var<storage, read_write> out: array<VT>;
@group(0) @binding(3) var<uniform> p: Params;
#endif

@compute @workgroup_size(WG)
fn main(@builtin(workgroup_id) wg: vec3u, @builtin(num_workgroups) nwg: vec3u, @builtin(local_invocation_index) lid: u32) {
  let base = (wg.x + wg.y * nwg.x) * WG * E + lid;
  for (var e = 0u; e < E; e++) {
    let i = base + e * WG;
    if (i >= p.n) { break; }
#ifdef INPLACE
    a[i] = a[i] + b[i];
#else
    out[i] = a[i] + b[i];
#endif
  }
}
