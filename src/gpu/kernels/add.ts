// Elementwise add (residual connections). See shaders/add.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

/** out = a + b, or a += b when `out` is omitted. a, b, out: f32, same element count. */
export function add(step: GpuStep, a: Tensor, b: Tensor, out?: Tensor): void {
  const n = a.numel;
  if (b.numel !== n || (out && out.numel !== n)) throw new Error(`add: sizes differ (${n}, ${b.numel}, ${out?.numel})`);
  const params = new Params().u32(n).bytes();
  const wgs = grid(Math.ceil(n / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension);
  const spec = { shader: 'add', defines: { INPLACE: !out }, constants: { WG } };
  const bindings = out ? [a.binding(), b.binding(), out.binding()] : [a.binding(), b.binding()];
  step.dispatch(spec, bindings, params, wgs);
}
