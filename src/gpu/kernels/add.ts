// Elementwise add (residual connections). See shaders/add.wgsl.

import type { GpuDevice } from '../device.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

/**
 * Elements each invocation of an elementwise kernel handles (add, silu-mul). CPU adapters
 * run invocations as SIMD lanes with a fixed cost per invocation, so they get 8 (lavapipe
 * add, 262144 floats as vec4s: ~1.6x over 1); GPUs want many workgroups, so 1.
 */
export function elementsPerInvocation(gpu: GpuDevice): number {
  return gpu.tuning.cpuLanes ? 8 : 1;
}

/** Dispatch shape for `count` elements (vec4s or floats) of an elementwise kernel. */
export function elementwiseGrid(gpu: GpuDevice, count: number, wg: number): { E: number; workgroups: [number, number] } {
  const E = elementsPerInvocation(gpu);
  return { E, workgroups: grid(Math.ceil(count / (wg * E)), gpu.limits.maxComputeWorkgroupsPerDimension) };
}

/** out = a + b, or a += b when `out` is omitted. a, b, out: f32, same element count. */
export function add(step: GpuStep, a: Tensor, b: Tensor, out?: Tensor): void {
  const n = a.numel;
  if (b.numel !== n || (out && out.numel !== n)) throw new Error(`add: sizes differ (${n}, ${b.numel}, ${out?.numel})`);
  // vec4 loads when n allows (the bindings are then whole vec4s); scalar otherwise.
  const vec4 = n % 4 === 0;
  const count = vec4 ? n / 4 : n;
  const { E, workgroups } = elementwiseGrid(step.gpu, count, WG);
  const params = new Params().u32(count).bytes();
  const spec = { shader: 'add', defines: { INPLACE: !out, VEC4: vec4 }, constants: { WG, E } };
  const bindings = out ? [a.binding(), b.binding(), out.binding()] : [a.binding(), b.binding()];
  step.dispatch(spec, bindings, params, workgroups);
}
