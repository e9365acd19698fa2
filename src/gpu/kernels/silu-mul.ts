// SwiGLU activation for the FFN: silu(gate) * up. See shaders/silu-mul.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

function dispatch(step: GpuStep, fused: boolean, inputs: Tensor[], out: Tensor, n: number): void {
  if ([...inputs, out].some((t) => t.dtype !== 'f32')) throw new Error('siluMul: f32 only');
  const total = out.numel;
  const params = new Params().u32(total).u32(n).bytes();
  const wgs = grid(Math.ceil(total / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension);
  const spec = { shader: 'silu-mul', defines: { FUSED: fused }, constants: { WG } };
  step.dispatch(spec, [...inputs.map((t) => t.binding()), out.binding()], params, wgs);
}

/** out = silu(gate) * up; gate, up, out: f32 with the same element count (e.g. [tokens, n]). */
export function siluMul(step: GpuStep, gate: Tensor, up: Tensor, out: Tensor): void {
  if (gate.numel !== out.numel || up.numel !== out.numel) {
    throw new Error(`siluMul: sizes differ (${gate.numel}, ${up.numel}, ${out.numel})`);
  }
  dispatch(step, false, [gate, up], out, out.numel);
}

/** out[t, :] = silu(gateUp[t, 0:n]) * gateUp[t, n:2n]; gateUp: [tokens, 2n] f32, out: [tokens, n] f32. */
export function siluMulFused(step: GpuStep, gateUp: Tensor, out: Tensor, n: number): void {
  if (n === 0 || out.numel % n !== 0 || gateUp.numel !== 2 * out.numel) {
    throw new Error(`siluMulFused: gateUp has ${gateUp.numel} elements, out ${out.numel}, n = ${n}`);
  }
  dispatch(step, true, [gateUp], out, n);
}
