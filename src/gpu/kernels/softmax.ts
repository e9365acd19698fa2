// Row-wise softmax (sampling probabilities, logprobs). See shaders/softmax.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';
import { CPU_ROW_WG } from './rms-norm.ts';

/** Invocations per row on GPUs (rows are long: a vocabulary). */
const GPU_WG = 256;

/**
 * out[r, :] = softmax(scale * x[r, :]) over rows of length n (x: [rows, n] f32, numel a
 * multiple of n), or in place into x when `out` is omitted. scale = 1 / temperature.
 */
export function softmax(step: GpuStep, x: Tensor, n: number, opts: { scale?: number; out?: Tensor } = {}): void {
  const { scale = 1, out } = opts;
  if (x.dtype !== 'f32' || (out && out.dtype !== 'f32')) throw new Error('softmax: f32 only');
  if (n === 0 || x.numel % n !== 0) throw new Error(`softmax: x has ${x.numel} elements, not a multiple of n = ${n}`);
  if (out && out.numel !== x.numel) throw new Error(`softmax: out has ${out.numel} elements, x has ${x.numel}`);
  const rows = x.numel / n;
  // vec4 loads when rows are whole vec4s (then so is every binding).
  const vec4 = n % 4 === 0;
  const WG = step.gpu.tuning.cpuLanes ? CPU_ROW_WG : GPU_WG;
  const params = new Params().u32(rows).u32(n).f32(scale).bytes();
  const spec = { shader: 'softmax', defines: { INPLACE: !out, VEC4: vec4 }, constants: { WG } };
  const bindings = out ? [x.binding(), out.binding()] : [x.binding()];
  step.dispatch(spec, bindings, params, grid(rows, step.gpu.limits.maxComputeWorkgroupsPerDimension));
}
