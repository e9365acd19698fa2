// GEMV and tiled GEMM with W in GGML block formats against the CPU reference on the SAME
// quantized bytes (src/cpu/linear-quant.ts: the loader's codecs, then the f64 linear
// layer). Dequantization is exact in f32 on both sides (every scale·quant product fits
// 24 bits), so the only error is f32 accumulation: atol = 1e-6·sqrt(K)·S with
// S = sqrt(K)·σx·σw (gemv.case.ts linearTol; σw the RMS of the dequantized W).
// N = 91 is off every tile; K = 96 (legacy formats and bf16) leaves rows only 2-byte
// aligned for the 18/22/34-byte blocks, as Q6_K's 210-byte blocks always are. Split
// cases force 3 chunks of 31, 31 and 29 rows (chunk sizes not multiples of 4 bytes).

import { ggmlTypeOf, linearQuantRef } from '../../../src/cpu/linear-quant.ts';
import { roundF16, toF16 } from '../../../src/cpu/f16.ts';
import { matmulRef } from '../../../src/cpu/matmul.ts';
import { dequantize, quantize } from '../../../src/loader/quant/index.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { gemvQuant, gemvQuantWithLayout, linearAny, matmulQuant } from '../../../src/gpu/kernels/linear-quant.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor, rowByteSize, type QuantDType, type Tensor } from '../../../src/gpu/tensor.ts';
import { assert, assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';
import { linearTol, type LinearKernel } from './gemv.case.ts';

interface QuantProblem {
  dtype: QuantDType;
  M: number;
  N: number;
  K: number;
  /** Split W into chunks of this many rows. */
  chunkRows?: number;
}

// Quantizing (the k-quant searches) and the f64 reference run once per problem, not per variant.
const weights = new Map<string, { bytes: Uint8Array; rms: number }>();
export function quantWeight(dtype: QuantDType, N: number, K: number): { bytes: Uint8Array; rms: number } {
  const key = `${dtype} ${N} ${K}`;
  let e = weights.get(key);
  if (!e) {
    const bytes = quantize(ggmlTypeOf(dtype), randn(N * K, 40 + K));
    const wq = dequantize(ggmlTypeOf(dtype), bytes, N * K);
    e = { bytes, rms: Math.sqrt(wq.reduce((s, v) => s + v * v, 0) / wq.length) };
    weights.set(key, e);
  }
  return e;
}
const expected = new Map<string, Float32Array>();

async function checkQuant(gpu: GpuDevice, kernel: LinearKernel, p: QuantProblem, name: string): Promise<string> {
  const { M, N, K, dtype } = p;
  const { bytes, rms } = quantWeight(dtype, N, K);
  const x = randn(M * K, 7 + M);
  const key = `${dtype} ${M} ${N} ${K}`;
  if (!expected.has(key)) expected.set(key, linearQuantRef(x, bytes, dtype, M, N, K));
  const tx = createTensor(gpu, [M, K], 'f32', x);
  const tw = createTensor(gpu, [N, K], dtype, bytes, {
    maxChunkBytes: p.chunkRows ? p.chunkRows * rowByteSize(dtype, K) : undefined,
  });
  const ty = createTensor(gpu, [M, N], 'f32');
  try {
    if (p.chunkRows) assert(tw.chunks.length === Math.ceil(N / p.chunkRows), `expected ${Math.ceil(N / p.chunkRows)} chunks, got ${tw.chunks.length}`);
    const step = new GpuStep(gpu);
    kernel(step, tx, tw, ty);
    await step.submit();
    const got = new Float32Array(await readTensor(gpu, ty));
    const err = assertClose(got, expected.get(key)!, linearTol(K, 1, rms), name);
    return `max abs error ${err.toExponential(2)}, ${tw.chunks.length} chunk(s)`;
  } finally {
    [tx, tw, ty].forEach((t) => t.destroy());
  }
}

// gemvQuant picks its layout by adapter (split-k on GPUs, rows on CPU adapters); the M=5
// cases run the layout this device would not pick.
const gemvOther: LinearKernel = (step, x, w, y) =>
  gemvQuantWithLayout(step, x, w, y, step.gpu.tuning.gemvLayout === 'rows' ? 'split-k' : 'rows');

const MAIN: QuantDType[] = ['bf16', 'q8_0', 'q4_0', 'q4_k', 'q6_k'];
const isK = (d: QuantDType) => d.endsWith('_k');

const problems: [string, LinearKernel, QuantProblem][] = [];
for (const dtype of MAIN) {
  for (const K of isK(dtype) ? [256, 512] : [96, 256, 512]) {
    problems.push(['gemvQuant', gemvQuant, { dtype, M: 1, N: 91, K }]);
    problems.push(['gemvQuant (other layout)', gemvOther, { dtype, M: 5, N: 91, K }]);
    problems.push(['matmulQuant', matmulQuant, { dtype, M: 37, N: 91, K }]);
  }
}
// The optional formats: one GEMV and one GEMM each.
for (const [dtype, K] of [['q4_1', 96], ['q5_0', 96], ['q5_1', 256], ['q5_k', 512]] as const) {
  problems.push(['gemvQuant', gemvQuant, { dtype, M: 3, N: 91, K }]);
  problems.push(['matmulQuant', matmulQuant, { dtype, M: 37, N: 91, K }]);
}
// W split into 3 chunks (31, 31, 29 rows).
problems.push(
  ['gemvQuant', gemvQuant, { dtype: 'q4_0', M: 1, N: 91, K: 96, chunkRows: 31 }],
  ['gemvQuant', gemvQuant, { dtype: 'q6_k', M: 1, N: 91, K: 256, chunkRows: 31 }],
  ['gemvQuant (other layout)', gemvOther, { dtype: 'q4_k', M: 8, N: 91, K: 256, chunkRows: 31 }],
  ['gemvQuant', gemvQuant, { dtype: 'q4_0', M: 16, N: 91, K: 96 }],
  ['gemvQuant (other layout)', gemvOther, { dtype: 'q5_k', M: 11, N: 91, K: 256 }],
  ['matmulQuant', matmulQuant, { dtype: 'q8_0', M: 37, N: 91, K: 96, chunkRows: 31 }],
  ['matmulQuant', matmulQuant, { dtype: 'q6_k', M: 37, N: 91, K: 256, chunkRows: 31 }],
  ['matmulQuant', matmulQuant, { dtype: 'bf16', M: 37, N: 91, K: 96, chunkRows: 31 }],
);

const quantName = (op: string, p: QuantProblem) =>
  `${op} ${p.dtype} M=${p.M} N=${p.N} K=${p.K}${p.chunkRows ? ` split every ${p.chunkRows} rows` : ''}`;

// linearAny routes f16 to linear() and block formats to GEMV or GEMM, all in one step
// (shapes whose pipelines other cases compile too).
const routed: KernelCase = {
  name: 'linearAny: f16, q4_k (GEMV) and q5_0 (GEMM) recorded in one step',
  async run(gpu) {
    const [N, K] = [45, 256];
    const x = randn(12 * K, 90);
    const wf = randn(N * K, 91);
    const wk = quantWeight('q4_k', N, K).bytes;
    const w5 = quantWeight('q5_0', N, K).bytes;
    const ts: Tensor[] = [];
    const t = (tensor: Tensor) => (ts.push(tensor), tensor);
    const tx5 = t(createTensor(gpu, [5, K], 'f32', x.subarray(0, 5 * K)));
    const tx12 = t(createTensor(gpu, [12, K], 'f32', x));
    const ys = [5, 1, 12].map((m) => t(createTensor(gpu, [m, N], 'f32')));
    try {
      const step = new GpuStep(gpu);
      linearAny(step, tx5, t(createTensor(gpu, [N, K], 'f16', toF16(wf))), ys[0]);
      linearAny(step, t(createTensor(gpu, [1, K], 'f32', x.subarray(0, K))), t(createTensor(gpu, [N, K], 'q4_k', wk)), ys[1]);
      linearAny(step, tx12, t(createTensor(gpu, [N, K], 'q5_0', w5)), ys[2]);
      await step.submit();
      const read = async (y: Tensor) => new Float32Array(await readTensor(gpu, y));
      assertClose(await read(ys[0]), matmulRef(x, roundF16(wf), 5, N, K), linearTol(K), 'f16');
      assertClose(await read(ys[1]), linearQuantRef(x, wk, 'q4_k', 1, N, K), linearTol(K), 'q4_k');
      assertClose(await read(ys[2]), linearQuantRef(x, w5, 'q5_0', 12, N, K), linearTol(K), 'q5_0');
    } finally {
      ts.forEach((tensor) => tensor.destroy());
    }
  },
};

// Rows must be whole blocks (createTensor), and bf16 GEMV units whole 16-element runs.
const rejects: KernelCase = {
  name: 'quantized tensors reject K that is not whole blocks',
  async run(gpu) {
    const throwsWith = (f: () => unknown, re: RegExp, what: string) => {
      try {
        f();
      } catch (e) {
        assert(re.test(String(e)), `${what}: wrong error ${e}`);
        return;
      }
      assert(false, `${what}: did not throw`);
    };
    throwsWith(() => createTensor(gpu, [4, 128], 'q4_k'), /multiple of 256/, 'q4_k K=128');
    throwsWith(() => createTensor(gpu, [4, 40], 'q8_0'), /multiple of 32/, 'q8_0 K=40');
    const [x, w, y] = [createTensor(gpu, [1, 24], 'f32'), createTensor(gpu, [4, 24], 'bf16'), createTensor(gpu, [1, 4], 'f32')];
    try {
      throwsWith(() => gemvQuant(new GpuStep(gpu), x, w, y), /K % 16/, 'bf16 K=24');
    } finally {
      [x, w, y].forEach((t) => t.destroy());
    }
  },
};

export const linearQuantCases: KernelCase[] = [
  ...problems.map(([op, kernel, p]) => {
    const name = quantName(op, p);
    return { name, run: (gpu: GpuDevice) => checkQuant(gpu, kernel, p, name) };
  }),
  routed,
  rejects,
];
