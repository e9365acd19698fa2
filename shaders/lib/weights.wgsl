// Weight loads shared by matmul and gemv. W is [N, K] row-major, f32 or f16 (W_F16).
// The including shader declares `w: array<W_ELEM>` and, when it reads four K-consecutive
// elements at a time (K % 4 == 0), defines VEC4 and calls w_load4; otherwise w_load.
// f16 weights load as native f16 when F16_LOADS is defined (shader-f16 present and the
// device prefers it: see GpuTuning), else as packed u32 pairs through unpack2x16float.
// Either way the math after the load is f32.

#ifdef W_F16
#ifdef F16_LOADS
enable f16;
#ifdef VEC4
#define W_ELEM vec4<f16>
#else
#define W_ELEM f16
#endif
#else
#ifdef VEC4
#define W_ELEM vec2<u32>
#else
#define W_ELEM u32
#endif
#endif
#else
#ifdef VEC4
#define W_ELEM vec4<f32>
#else
#define W_ELEM f32
#endif
#endif

#ifdef VEC4
/** Elements 4*i .. 4*i+3 of W's flat array. */
fn w_load4(i: u32) -> vec4<f32> {
#ifdef W_F16
#ifdef F16_LOADS
  return vec4<f32>(w[i]);
#else
  let h = w[i];
  return vec4<f32>(unpack2x16float(h.x), unpack2x16float(h.y));
#endif
#else
  return w[i];
#endif
}
#else
/** Element i of W's flat array. */
fn w_load(i: u32) -> f32 {
#ifdef W_F16
#ifdef F16_LOADS
  return f32(w[i]);
#else
  return unpack2x16float(w[i >> 1u])[i & 1u];
#endif
#else
  return w[i];
#endif
}
#endif
