import { rmsNorm } from '../../../src/gpu/kernels/rms-norm.ts';
import { rmsNormRef } from '../../../src/cpu/rms-norm.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// f32 sums in a different order than the f64 reference: ~1e-6 relative in practice.
const TOL = { atol: 1e-5, rtol: 1e-5 };

interface Shape {
  shape: number[];
  n: number;
  inPlace: boolean;
  eps: number;
}

const shapes: Shape[] = [
  { shape: [1, 131], n: 131, inPlace: false, eps: 1e-6 },
  { shape: [3, 896], n: 896, inPlace: false, eps: 1e-6 },
  { shape: [2, 1000], n: 1000, inPlace: true, eps: 1e-5 },
  // Qwen3 q/k norm: [tokens, heads, head_dim] normalized per head, weight [head_dim].
  { shape: [3, 4, 128], n: 128, inPlace: true, eps: 1e-6 },
  { shape: [5, 2, 64], n: 64, inPlace: false, eps: 1e-6 },
];

export const rmsNormCases: KernelCase[] = shapes.map(({ shape, n, inPlace, eps }, k) => ({
  name: `rms-norm [${shape}] n=${n}${inPlace ? ' in place' : ''}`,
  async run(gpu) {
    const numel = shape.reduce((a, b) => a * b, 1);
    const x = randn(numel, 10 + k, 3);
    const w = randn(n, 20 + k, 0.5).map((v) => v + 1);
    const tx = createTensor(gpu, shape, 'f32', x), tw = createTensor(gpu, [n], 'f32', w);
    const out = inPlace ? tx : createTensor(gpu, shape, 'f32');
    const step = new GpuStep(gpu);
    rmsNorm(step, tx, tw, eps, inPlace ? undefined : out);
    await step.submit();
    const err = assertClose(new Float32Array(await readTensor(gpu, out)), rmsNormRef(x, w, eps), TOL, 'rms-norm');
    new Set([tx, tw, out]).forEach((t) => t.destroy());
    return `max abs error ${err.toExponential(2)}`;
  },
}));
