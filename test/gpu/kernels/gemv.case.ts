// GEMV (decode, M = 1..8) against the f64 CPU reference, f32 and f16 weights, whole and
// split into chunks, plus one real weight over the 128 MiB binding limit. Also exports
// the shared checker that matmul.case.ts uses.
//
// Tolerance: a Y element is a K-term dot product of magnitude S = sqrt(K)·σx·σw; f32
// accumulation errs by about u·sqrt(K)·S (u = 2^-24), so atol = 1e-6·sqrt(K)·S (≈17u·sqrt(K)
// relative to S; a dropped or doubled term is off by ~σx·σw, far beyond it). f16 weights
// are compared with the reference on the f16-rounded weights, under the same tolerance.

import { gemv, gemvWithLayout, type GemvLayout } from '../../../src/gpu/kernels/gemv.ts';
import { matmulRef, matmulRefCols } from '../../../src/cpu/matmul.ts';
import { roundF16, toF16 } from '../../../src/cpu/f16.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor, type Tensor } from '../../../src/gpu/tensor.ts';
import { assert, assertClose, type Tolerance } from '../../helpers/assert.ts';
import { randn, rng } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

export type LinearKernel = (step: GpuStep, x: Tensor, w: Tensor, y: Tensor) => void;

export interface LinearProblem {
  M: number;
  N: number;
  K: number;
  wdtype: 'f32' | 'f16';
  /** Split W into chunks of this many rows (several buffers, one dispatch each). */
  chunkRows?: number;
}

/** atol for K-term dot products of values with standard deviations sx, sw (see header). */
export function linearTol(K: number, sx = 1, sw = 1): Tolerance {
  return { atol: 1e-6 * Math.sqrt(K) * (Math.sqrt(K) * sx * sw) };
}

export function linearName(op: string, p: LinearProblem): string {
  const split = p.chunkRows ? ` split every ${p.chunkRows} rows` : '';
  return `${op} ${p.wdtype} M=${p.M} N=${p.N} K=${p.K}${split}`;
}

/** Runs `kernel` on random data and compares with matmulRef; returns a note with the error. */
export async function checkLinear(gpu: GpuDevice, kernel: LinearKernel, p: LinearProblem, seed: number): Promise<string> {
  const { M, N, K } = p;
  const x = randn(M * K, seed);
  const w = randn(N * K, seed + 1);
  const f16 = p.wdtype === 'f16';
  const rowBytes = K * (f16 ? 2 : 4);
  const tx = createTensor(gpu, [M, K], 'f32', x);
  const tw = createTensor(gpu, [N, K], p.wdtype, f16 ? toF16(w) : w, {
    maxChunkBytes: p.chunkRows ? p.chunkRows * rowBytes : undefined,
  });
  const ty = createTensor(gpu, [M, N], 'f32');
  try {
    if (p.chunkRows) assert(tw.chunks.length === Math.ceil(N / p.chunkRows), `expected W in ${Math.ceil(N / p.chunkRows)} chunks, got ${tw.chunks.length}`);
    const step = new GpuStep(gpu);
    kernel(step, tx, tw, ty);
    await step.submit();
    const got = new Float32Array(await readTensor(gpu, ty));
    const want = matmulRef(x, f16 ? roundF16(w) : w, M, N, K);
    const err = assertClose(got, want, linearTol(K), linearName('linear', p));
    return `max abs error ${err.toExponential(2)}, ${tw.chunks.length} chunk(s)`;
  } finally {
    [tx, tw, ty].forEach((t) => t.destroy());
  }
}

const problems: LinearProblem[] = [
  { M: 1, N: 91, K: 131, wdtype: 'f32' },
  { M: 3, N: 300, K: 512, wdtype: 'f32' },
  { M: 8, N: 64, K: 1000, wdtype: 'f32' },
  { M: 1, N: 91, K: 131, wdtype: 'f16' },
  { M: 5, N: 129, K: 256, wdtype: 'f16' },
  { M: 8, N: 37, K: 66, wdtype: 'f16' },
  { M: 8, N: 130, K: 136, wdtype: 'f16' },
  // GEMV_MAX_M: a 16-sequence decode batch stays on the GEMV path.
  { M: 16, N: 67, K: 200, wdtype: 'f32' },
  { M: 13, N: 70, K: 136, wdtype: 'f16' },
  { M: 2, N: 91, K: 131, wdtype: 'f32', chunkRows: 40 },
  { M: 4, N: 91, K: 132, wdtype: 'f16', chunkRows: 31 },
  { M: 1, N: 91, K: 131, wdtype: 'f16', chunkRows: 31 },
];

// A real weight bigger than maxStorageBufferBindingSize (128 MiB on lavapipe): f32
// [33000, 1024] = 135 MB, so createTensor splits it. Only a fixed subset of Y is checked
// on the CPU: every 97th column plus the ones around each chunk boundary and the last.
const BIG_N = 33_000;
const BIG_K = 1024;
const BIG_BYTES = BIG_N * BIG_K * 4;

const bigCase: KernelCase = {
  name: `gemv W over the binding limit (f32 M=1 N=${BIG_N} K=${BIG_K}, ${(BIG_BYTES / 1e6).toFixed(0)} MB)`,
  skip: (gpu) => (gpu.limits.maxBufferSize < BIG_BYTES ? `maxBufferSize ${gpu.limits.maxBufferSize} < ${BIG_BYTES}` : false),
  async run(gpu) {
    const r = rng(77);
    const w = new Float32Array(BIG_N * BIG_K);
    for (let i = 0; i < w.length; i++) w[i] = r() * 2 - 1;
    const x = randn(BIG_K, 78);
    const tx = createTensor(gpu, [1, BIG_K], 'f32', x);
    const tw = createTensor(gpu, [BIG_N, BIG_K], 'f32', w);
    const ty = createTensor(gpu, [1, BIG_N], 'f32');
    try {
      if (BIG_BYTES > gpu.limits.maxStorageBufferBindingSize) assert(tw.chunks.length > 1, 'W was not split');
      const step = new GpuStep(gpu);
      gemv(step, tx, tw, ty);
      await step.submit();
      const got = new Float32Array(await readTensor(gpu, ty));
      const cols = new Set<number>([BIG_N - 1]);
      for (let n = 0; n < BIG_N; n += 97) cols.add(n);
      for (const c of tw.chunks) for (let d = -2; d < 2; d++) cols.add(Math.min(Math.max(c.rowStart + d, 0), BIG_N - 1));
      const sorted = [...cols].sort((a, b) => a - b);
      const want = matmulRefCols(x, w, 1, BIG_K, sorted);
      const err = assertClose(sorted.map((n) => got[n]), want, linearTol(BIG_K, 1, 1 / Math.sqrt(3)), 'gemv big W');
      return `${tw.chunks.length} chunks, ${sorted.length} columns checked, max abs error ${err.toExponential(2)}`;
    } finally {
      [tx, tw, ty].forEach((t) => t.destroy());
    }
  },
};

// Both layouts on every adapter (gemv() itself picks one per device; the big case uses that).
const layouts: GemvLayout[] = ['split-k', 'rows'];

export const gemvCases: KernelCase[] = [
  ...layouts.flatMap((layout) =>
    problems.map((p, i) => ({
      name: linearName(`gemv ${layout}`, p),
      run: (gpu: GpuDevice) => checkLinear(gpu, (s, x, w, y) => gemvWithLayout(s, x, w, y, layout), p, 100 + 10 * i),
    })),
  ),
  bigCase,
];
