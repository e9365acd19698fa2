import { softmax } from '../../../src/gpu/kernels/softmax.ts';
import { softmaxRef } from '../../../src/cpu/softmax.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Relative to the f64 reference. Rounding scale * x in f32 dominates: for the row shifted by
// +500 that is ~3e-5 relative (ulp(700) = 6e-5 in the exponent); other rows ~1e-6. f32 exp
// and the f32 row sum add a few ulp. 1e-4 leaves room for GPUs' looser exp.
const TOL = { atol: 1e-9, rtol: 1e-4 };

const shapes = [
  { rows: 1, n: 131, scale: 1, inPlace: false },
  { rows: 3, n: 1000, scale: 1 / 0.7, inPlace: true },
  { rows: 2, n: 896, scale: 1, inPlace: false },
  { rows: 2, n: 151_936, scale: 1 / 1.3, inPlace: false },
];

export const softmaxCases: KernelCase[] = shapes.map(({ rows, n, scale, inPlace }, k) => ({
  name: `softmax rows=${rows} n=${n} scale=${scale.toFixed(3)}${inPlace ? ' in place' : ''}`,
  async run(gpu) {
    // Logit-like spread (std 4) so max subtraction matters; one row shifted far up.
    const x = randn(rows * n, 60 + k, 4);
    for (let i = 0; i < n; i++) x[i] += 500;
    const tx = createTensor(gpu, [rows, n], 'f32', x);
    const out = inPlace ? tx : createTensor(gpu, [rows, n], 'f32');
    const step = new GpuStep(gpu);
    softmax(step, tx, n, { scale, out: inPlace ? undefined : out });
    await step.submit();
    const err = assertClose(new Float32Array(await readTensor(gpu, out)), softmaxRef(x, n, scale), TOL, 'softmax');
    new Set([tx, out]).forEach((t) => t.destroy());
    return `max abs error ${err.toExponential(2)}`;
  },
}));
