// Tiled GEMM, its naive baseline and linear() against the f64 CPU reference: shapes off
// the 64/128 x 128 x 16 tiles (non-powers of two), f32 and f16 weights, W split into chunks, and
// several dispatches recorded in one step. M <= 64 runs 64-row tiles, larger M 128-row
// ones. Tolerance as in gemv.case.ts (linearTol: atol = 1e-6·sqrt(K)·S with
// S = sqrt(K)·σx·σw the magnitude of a Y element).

import { gemv } from '../../../src/gpu/kernels/gemv.ts';
import { linear, matmul, matmulNaive } from '../../../src/gpu/kernels/matmul.ts';
import { matmulRef } from '../../../src/cpu/matmul.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';
import { checkLinear, linearName, linearTol, type LinearKernel, type LinearProblem } from './gemv.case.ts';

const tiled: LinearProblem[] = [
  { M: 37, N: 91, K: 131, wdtype: 'f32' },
  { M: 64, N: 64, K: 64, wdtype: 'f32' },
  { M: 100, N: 200, K: 256, wdtype: 'f32' },
  { M: 37, N: 91, K: 131, wdtype: 'f16' },
  { M: 70, N: 45, K: 130, wdtype: 'f16' },
  { M: 129, N: 66, K: 128, wdtype: 'f16' },
  { M: 37, N: 91, K: 131, wdtype: 'f32', chunkRows: 40 },
  { M: 70, N: 91, K: 131, wdtype: 'f16', chunkRows: 31 },
  { M: 20, N: 150, K: 64, wdtype: 'f16', chunkRows: 64 },
];
const naive: LinearProblem[] = [
  { M: 37, N: 91, K: 131, wdtype: 'f32' },
  { M: 65, N: 130, K: 256, wdtype: 'f32' },
  { M: 37, N: 91, K: 131, wdtype: 'f16' },
  { M: 70, N: 45, K: 128, wdtype: 'f16', chunkRows: 20 },
];
const viaLinear: LinearProblem[] = [
  { M: 5, N: 91, K: 131, wdtype: 'f16' },
  { M: 9, N: 91, K: 132, wdtype: 'f32', chunkRows: 50 },
];

const cases = (op: string, kernel: LinearKernel, ps: LinearProblem[], seed: number): KernelCase[] =>
  ps.map((p, i) => ({ name: linearName(op, p), run: (gpu) => checkLinear(gpu, kernel, p, seed + 10 * i) }));

// Benchmarks record many dispatches on the same tensors in one step: that must work too.
const repeated: KernelCase = {
  name: 'matmul, matmulNaive, linear and gemv recorded repeatedly in one step',
  async run(gpu) {
    const [M, N, K] = [33, 47, 96];
    const x = randn(M * K, 900), w = randn(N * K, 901);
    const tx = createTensor(gpu, [M, K], 'f32', x);
    const tx3 = createTensor(gpu, [3, K], 'f32', x.subarray(0, 3 * K));
    const tw = createTensor(gpu, [N, K], 'f32', w);
    const ys = [0, 1, 2].map(() => createTensor(gpu, [M, N], 'f32'));
    const y3 = createTensor(gpu, [3, N], 'f32');
    const step = new GpuStep(gpu);
    for (let i = 0; i < 5; i++) {
      matmul(step, tx, tw, ys[0]);
      matmulNaive(step, tx, tw, ys[1]);
      linear(step, tx, tw, ys[2]);
      gemv(step, tx3, tw, y3);
    }
    await step.submit();
    const want = matmulRef(x, w, M, N, K);
    for (const [i, y] of ys.entries()) {
      assertClose(new Float32Array(await readTensor(gpu, y)), want, linearTol(K), `output ${i}`);
    }
    assertClose(new Float32Array(await readTensor(gpu, y3)), want.subarray(0, 3 * N), linearTol(K), 'gemv output');
    [tx, tx3, tw, ...ys, y3].forEach((t) => t.destroy());
  },
};

export const matmulCases: KernelCase[] = [
  ...cases('matmul', matmul, tiled, 300),
  ...cases('matmulNaive', matmulNaive, naive, 500),
  ...cases('linear', linear, viaLinear, 700),
  repeated,
];
