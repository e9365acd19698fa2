// Row-wise argmax (greedy sampling). See shaders/argmax.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

/**
 * out[r] = argmax over x[r, :], ties to the lowest index. x: [rows, n] f32 (numel a multiple
 * of n, n >= 1), out: u32 [rows].
 */
export function argmax(step: GpuStep, x: Tensor, n: number, out: Tensor): void {
  if (x.dtype !== 'f32' || out.dtype !== 'u32') throw new Error('argmax: x f32, out u32');
  if (n === 0 || x.numel % n !== 0) throw new Error(`argmax: x has ${x.numel} elements, not a multiple of n = ${n}`);
  const rows = x.numel / n;
  if (out.numel !== rows) throw new Error(`argmax: out has ${out.numel} elements, expected ${rows}`);
  const params = new Params().u32(rows).u32(n).bytes();
  const spec = { shader: 'argmax', constants: { WG } };
  step.dispatch(spec, [x.binding(), out.binding()], params, grid(rows, step.gpu.limits.maxComputeWorkgroupsPerDimension));
}
