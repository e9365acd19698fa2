import { add } from '../../../src/gpu/kernels/add.ts';
import { addRef } from '../../../src/cpu/add.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// 1 and 70_001 take the scalar path, 1000 and 70_000 the vec4 one (70_000: several workgroups).
export const addCases: KernelCase[] = [1, 1000, 70_000, 70_001].flatMap((n) => [
  {
    name: `add n=${n}`,
    async run(gpu) {
      const a = randn(n, 1), b = randn(n, 2);
      const ta = createTensor(gpu, [n], 'f32', a), tb = createTensor(gpu, [n], 'f32', b);
      const out = createTensor(gpu, [n], 'f32');
      const step = new GpuStep(gpu);
      add(step, ta, tb, out);
      await step.submit();
      assertClose(new Float32Array(await readTensor(gpu, out)), addRef(a, b), { atol: 0 }, 'add');
      [ta, tb, out].forEach((t) => t.destroy());
    },
  },
  {
    name: `add in place n=${n}`,
    async run(gpu) {
      const a = randn(n, 3), b = randn(n, 4);
      const ta = createTensor(gpu, [n], 'f32', a), tb = createTensor(gpu, [n], 'f32', b);
      const step = new GpuStep(gpu);
      add(step, ta, tb);
      await step.submit();
      assertClose(new Float32Array(await readTensor(gpu, ta)), addRef(a, b), { atol: 0 }, 'add in place');
      [ta, tb].forEach((t) => t.destroy());
    },
  },
]);
