import { argmax } from '../../../src/gpu/kernels/argmax.ts';
import { argmaxRef } from '../../../src/cpu/argmax.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertEqualArrays } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Indices must match exactly (tolerance: none). Ties resolve to the lowest index.

interface ArgmaxCase {
  name: string;
  rows: number;
  n: number;
  /** Per row, indices set to one shared maximum (duplicate maxima); expected: the smallest. */
  ties?: number[][];
  /** Shift every value (all-negative rows). */
  offset?: number;
  constantRow?: number;
}

// With WG = 256: 200 and 260 sit in different invocations (260 in a lower one, and in another
// subgroup), 5/261/517 in the same one; index 0 is every invocation's starting candidate.
const cases: ArgmaxCase[] = [
  { name: 'random', rows: 3, n: 131 },
  { name: 'random', rows: 2, n: 896 },
  { name: 'all negative', rows: 2, n: 1000, offset: -100 },
  { name: 'duplicate maxima', rows: 4, n: 1000, ties: [[900, 260, 200], [517, 261, 5], [999, 1, 0], []], constantRow: 3 },
  { name: 'duplicate maxima', rows: 2, n: 151_936, ties: [[150_001, 70_000, 151_935], []] },
];

export const argmaxCases: KernelCase[] = cases.map((c, k) => ({
  name: `argmax ${c.name} rows=${c.rows} n=${c.n}`,
  async run(gpu) {
    const x = randn(c.rows * c.n, 140 + k);
    if (c.offset) x.forEach((v, i) => (x[i] = v + c.offset!));
    c.ties?.forEach((idx, r) => idx.forEach((i) => (x[r * c.n + i] = 50)));
    if (c.constantRow !== undefined) x.fill(-2.5, c.constantRow * c.n, (c.constantRow + 1) * c.n);
    const tx = createTensor(gpu, [c.rows, c.n], 'f32', x);
    const out = createTensor(gpu, [c.rows], 'u32');
    const step = new GpuStep(gpu);
    argmax(step, tx, c.n, out);
    await step.submit();
    const want = argmaxRef(x, c.n);
    c.ties?.forEach((idx, r) => idx.length && (want[r] = Math.min(...idx)));
    if (c.constantRow !== undefined) want[c.constantRow] = 0;
    assertEqualArrays(new Uint32Array(await readTensor(gpu, out)), want, 'argmax');
    [tx, out].forEach((t) => t.destroy());
    return `indices ${Array.from(want).join(', ')}`;
  },
}));
