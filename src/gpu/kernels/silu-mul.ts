// SwiGLU activation for the FFN: silu(gate) * up. See shaders/silu-mul.wgsl.

import { Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';
import { elementsPerInvocation, elementwiseGrid } from './add.ts';

const WG = 256;

function dispatch(step: GpuStep, fused: boolean, inputs: Tensor[], out: Tensor, n: number): void {
  if ([...inputs, out].some((t) => t.dtype !== 'f32')) throw new Error('siluMul: f32 only');
  const tokens = out.numel / n;
  // vec4 loads when rows are whole vec4s (then so is every binding).
  const vec4 = n % 4 === 0;
  const w = vec4 ? 4 : 1;
  const params = new Params().u32(out.numel / w).u32(n / w).u32(tokens).bytes();
  const maxWg = step.gpu.limits.maxComputeWorkgroupsPerDimension;
  let E: number;
  let workgroups: [number, number];
  if (fused) {
    E = elementsPerInvocation(step.gpu);
    workgroups = [Math.ceil(n / w / (WG * E)), Math.min(tokens, maxWg)];
    if (workgroups[0] > maxWg) throw new Error(`siluMulFused: row of ${n} too long`);
  } else {
    ({ E, workgroups } = elementwiseGrid(step.gpu, out.numel / w, WG));
  }
  const spec = { shader: 'silu-mul', defines: { FUSED: fused, VEC4: vec4 }, constants: { WG, E } };
  step.dispatch(spec, [...inputs.map((t) => t.binding()), out.binding()], params, workgroups);
}

/** out = silu(gate) * up; gate, up, out: f32 with the same element count (e.g. [tokens, n]). */
export function siluMul(step: GpuStep, gate: Tensor, up: Tensor, out: Tensor): void {
  if (gate.numel !== out.numel || up.numel !== out.numel) {
    throw new Error(`siluMul: sizes differ (${gate.numel}, ${up.numel}, ${out.numel})`);
  }
  // Treated as one row: vec4 when the total allows.
  dispatch(step, false, [gate, up], out, out.numel);
}

/** out[t, :] = silu(gateUp[t, 0:n]) * gateUp[t, n:2n]; gateUp: [tokens, 2n] f32, out: [tokens, n] f32. */
export function siluMulFused(step: GpuStep, gateUp: Tensor, out: Tensor, n: number): void {
  if (n === 0 || out.numel % n !== 0 || gateUp.numel !== 2 * out.numel) {
    throw new Error(`siluMulFused: gateUp has ${gateUp.numel} elements, out ${out.numel}, n = ${n}`);
  }
  dispatch(step, true, [gateUp], out, n);
}
