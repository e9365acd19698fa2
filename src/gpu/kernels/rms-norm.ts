// RMS norm (pre-attention / pre-FFN norm, and Qwen3's per-head q/k norm). See shaders/rms-norm.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

/** Workgroup size: the smallest power of two in [32, 256] that covers a row, so a
 *  head_dim = 64/128 row does not leave most invocations idle. */
export function rmsNormWorkgroupSize(n: number): number {
  let wg = 32;
  while (wg < n && wg < 256) wg *= 2;
  return wg;
}

/**
 * y = x / sqrt(mean(x^2) + eps) * w per row, or in place into x when `out` is omitted.
 * x, out: f32 with numel a multiple of n = w.numel (any leading shape: [tokens, dim], or
 * [tokens, heads, head_dim] for q/k norm with w: [head_dim]); w: [n] f32.
 */
export function rmsNorm(step: GpuStep, x: Tensor, w: Tensor, eps: number, out?: Tensor): void {
  const n = w.numel;
  if (x.dtype !== 'f32' || w.dtype !== 'f32' || (out && out.dtype !== 'f32')) throw new Error('rmsNorm: f32 only');
  if (n === 0 || x.numel % n !== 0) throw new Error(`rmsNorm: x has ${x.numel} elements, not a multiple of n = ${n}`);
  if (out && out.numel !== x.numel) throw new Error(`rmsNorm: out has ${out.numel} elements, x has ${x.numel}`);
  const rows = x.numel / n;
  const WG = rmsNormWorkgroupSize(n);
  const params = new Params().u32(rows).u32(n).f32(eps).bytes();
  const spec = { shader: 'rms-norm', defines: { INPLACE: !out }, constants: { WG } };
  const bindings = out ? [x.binding(), w.binding(), out.binding()] : [x.binding(), w.binding()];
  step.dispatch(spec, bindings, params, grid(rows, step.gpu.limits.maxComputeWorkgroupsPerDimension));
}
