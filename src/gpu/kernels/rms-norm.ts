// RMS norm (pre-attention / pre-FFN norm, and Qwen3's per-head q/k norm). See shaders/rms-norm.wgsl.

import type { GpuDevice } from '../device.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

/** Workgroup size: the smallest power of two in [32, 256] that covers a row of n
 *  elements (floats or vec4s), so a head_dim = 64/128 row does not leave most
 *  invocations idle. */
export function rmsNormWorkgroupSize(n: number): number {
  let wg = 32;
  while (wg < n && wg < 256) wg *= 2;
  return wg;
}

/** Invocations per row on CPU adapters, whatever the row length: there each invocation
 *  costs a fixed overhead and each barrier a coroutine switch per 8 lanes, so few
 *  invocations walking long stretches win (lavapipe, 64 x 4096 as vec4s: WG 8..32 alike,
 *  ~2x faster than 128, ~3x faster than 256). Also used by softmax. */
export const CPU_ROW_WG = 16;

/** Workgroup size of a one-workgroup-per-row kernel over rows of `count` elements. */
export function rowWorkgroupSize(gpu: GpuDevice, count: number): number {
  return gpu.tuning.cpuLanes ? CPU_ROW_WG : rmsNormWorkgroupSize(count);
}

/**
 * y = x / sqrt(mean(x^2) + eps) * w per row, or in place into x when `out` is omitted,
 * with ggml-cpu's rounding bit for bit (src/cpu/rms-norm.ts).
 * x, out: f32 with numel a multiple of n = w.numel (any leading shape: [tokens, dim], or
 * [tokens, heads, head_dim] for q/k norm with w: [head_dim]); w: [n] f32, n < 65536
 * (the shader's exact sum of squares has 16 bits of headroom).
 */
export function rmsNorm(step: GpuStep, x: Tensor, w: Tensor, eps: number, out?: Tensor): void {
  const n = w.numel;
  if (x.dtype !== 'f32' || w.dtype !== 'f32' || (out && out.dtype !== 'f32')) throw new Error('rmsNorm: f32 only');
  if (n >= 65536) throw new Error(`rmsNorm: rows of ${n} elements; the exact sum of squares allows at most 65535`);
  if (n === 0 || x.numel % n !== 0) throw new Error(`rmsNorm: x has ${x.numel} elements, not a multiple of n = ${n}`);
  if (out && out.numel !== x.numel) throw new Error(`rmsNorm: out has ${out.numel} elements, x has ${x.numel}`);
  const rows = x.numel / n;
  // vec4 loads when rows are whole vec4s (then so is every binding).
  const vec4 = n % 4 === 0;
  const WG = rowWorkgroupSize(step.gpu, vec4 ? n / 4 : n);
  const params = new Params().u32(rows).u32(n).f32(eps).u32(0).bytes();
  const spec = { shader: 'rms-norm', defines: { INPLACE: !out, VEC4: vec4 }, constants: { WG } };
  const bindings = out ? [x.binding(), w.binding(), out.binding()] : [x.binding(), w.binding()];
  step.dispatch(spec, bindings, params, grid(rows, step.gpu.limits.maxComputeWorkgroupsPerDimension));
}
