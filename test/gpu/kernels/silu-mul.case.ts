import { siluMul, siluMulFused } from '../../../src/gpu/kernels/silu-mul.ts';
import { siluMulFusedRef, siluMulRef } from '../../../src/cpu/silu-mul.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// One f32 exp and a divide per element against f64: a few ulp; exp is looser on some GPUs.
const TOL = { atol: 1e-6, rtol: 1e-5 };

const shapes = [
  { tokens: 1, n: 131 },
  { tokens: 3, n: 896 },
  { tokens: 2, n: 1000 },
  // vec4 rows longer than one workgroup's block (several workgroups per row).
  { tokens: 2, n: 9000 },
];

export const siluMulCases: KernelCase[] = shapes.flatMap(({ tokens, n }, k) => [
  {
    name: `silu-mul tokens=${tokens} n=${n}`,
    async run(gpu) {
      // Scale 6 reaches both silu tails (g << 0 and g >> 0).
      const gate = randn(tokens * n, 80 + k, 6), up = randn(tokens * n, 90 + k);
      const tg = createTensor(gpu, [tokens, n], 'f32', gate), tu = createTensor(gpu, [tokens, n], 'f32', up);
      const out = createTensor(gpu, [tokens, n], 'f32');
      const step = new GpuStep(gpu);
      siluMul(step, tg, tu, out);
      await step.submit();
      assertClose(new Float32Array(await readTensor(gpu, out)), siluMulRef(gate, up), TOL, 'silu-mul');
      [tg, tu, out].forEach((t) => t.destroy());
    },
  },
  {
    name: `silu-mul fused gate_up tokens=${tokens} n=${n}`,
    async run(gpu) {
      const gateUp = randn(tokens * 2 * n, 100 + k, 6);
      const tgu = createTensor(gpu, [tokens, 2 * n], 'f32', gateUp);
      const out = createTensor(gpu, [tokens, n], 'f32');
      const step = new GpuStep(gpu);
      siluMulFused(step, tgu, out, n);
      await step.submit();
      assertClose(new Float32Array(await readTensor(gpu, out)), siluMulFusedRef(gateUp, n), TOL, 'silu-mul fused');
      [tgu, out].forEach((t) => t.destroy());
    },
  },
]);
