// The q8 linear layer (ActivationQuant 'q8': quantizeQ8, then gemvQ8 / matmulQ8) against
// src/cpu/linear-quant.ts linearQ8Ref: X rounded to W's activation blocks on the CPU (bit
// for bit what quantize-q8.case.ts checks), then the f64 product with the dequantized W.
// The kernels sum integer products exactly, so the only error is the f32 scaling and
// accumulation: the same atol as the f32 kernels (gemv.case.ts linearTol). Each case also
// checks that rounding X matters at that size (the q8 result is > 10 atol away from the
// f32-activation one somewhere), so passing is not an accident of tolerance.
// N = 91 is off every tile; K = 96 leaves legacy rows only 2-byte aligned; split cases
// force chunks of 31 rows. linearAny with acts routes f16 and bf16 W through the rounding
// kernel and reuses one scratch for every layer of a step.

import { linearQ8Ref, linearQuantRef } from '../../../src/cpu/linear-quant.ts';
import { roundF16, toF16 } from '../../../src/cpu/f16.ts';
import { matmulRef } from '../../../src/cpu/matmul.ts';
import { roundActivations as roundRef } from '../../../src/cpu/quantize-q8.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import type { GemvLayout } from '../../../src/gpu/kernels/gemv.ts';
import { gemvQ8, linearAny, matmulQ8, type LinearActs } from '../../../src/gpu/kernels/linear-quant.ts';
import { actScratchWords, q8KindOf, quantizeQ8 } from '../../../src/gpu/kernels/quantize-q8.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor, rowByteSize, type QuantDType, type Tensor } from '../../../src/gpu/tensor.ts';
import { assert, assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';
import { linearTol } from './gemv.case.ts';
import { quantWeight } from './linear-quant.case.ts';

type Op = 'gemvQ8' | 'gemvQ8 (other layout)' | 'matmulQ8';

interface Q8Problem {
  op: Op;
  dtype: QuantDType;
  M: number;
  N: number;
  K: number;
  chunkRows?: number;
}

function record(step: GpuStep, p: Q8Problem, x: Tensor, w: Tensor, y: Tensor, scratch: Tensor): void {
  const xq = quantizeQ8(step, x, p.K, q8KindOf(p.dtype)!, scratch);
  const own = step.gpu.tuning.gemvLayout;
  const other: GemvLayout = own === 'rows' ? 'split-k' : 'rows';
  if (p.op === 'matmulQ8') matmulQ8(step, xq, w, y);
  else gemvQ8(step, xq, w, y, p.op === 'gemvQ8' ? own : other);
}

async function checkQ8(gpu: GpuDevice, p: Q8Problem, name: string): Promise<string> {
  const { M, N, K, dtype } = p;
  const { bytes, rms } = quantWeight(dtype, N, K);
  const x = randn(M * K, 70 + M);
  const expected = linearQ8Ref(x, bytes, dtype, M, N, K);
  const tol = linearTol(K, 1, rms);
  const f32 = linearQuantRef(x, bytes, dtype, M, N, K);
  const gap = expected.reduce((g, v, i) => Math.max(g, Math.abs(v - f32[i])), 0);
  assert(gap > 10 * tol.atol, `${name}: q8 and f32 activations differ by only ${gap} (atol ${tol.atol})`);
  const tx = createTensor(gpu, [M, K], 'f32', x);
  const tw = createTensor(gpu, [N, K], dtype, bytes, { maxChunkBytes: p.chunkRows ? p.chunkRows * rowByteSize(dtype, K) : undefined });
  const ty = createTensor(gpu, [M, N], 'f32');
  const scratch = createTensor(gpu, [actScratchWords(M, K)], 'f32');
  try {
    if (p.chunkRows) assert(tw.chunks.length === Math.ceil(N / p.chunkRows), `expected ${Math.ceil(N / p.chunkRows)} chunks, got ${tw.chunks.length}`);
    const step = new GpuStep(gpu);
    record(step, p, tx, tw, ty, scratch);
    await step.submit();
    const err = assertClose(new Float32Array(await readTensor(gpu, ty)), expected, tol, name);
    return `max abs error ${err.toExponential(2)} (q8 vs f32 activations: ${gap.toExponential(2)}), ${tw.chunks.length} chunk(s)`;
  } finally {
    [tx, tw, ty, scratch].forEach((t) => t.destroy());
  }
}

const problems: Q8Problem[] = [];
const isK = (d: QuantDType) => d.endsWith('_k');
for (const dtype of ['q8_0', 'q4_0', 'q4_k', 'q6_k'] as const) {
  for (const K of isK(dtype) ? [256, 512] : [96, 512]) {
    problems.push({ op: 'gemvQ8', dtype, M: 1, N: 91, K }, { op: 'gemvQ8 (other layout)', dtype, M: 5, N: 91, K }, { op: 'matmulQ8', dtype, M: 37, N: 91, K });
  }
}
for (const [dtype, K] of [['q5_0', 96], ['q4_1', 96], ['q5_1', 256], ['q5_k', 512]] as const) {
  problems.push({ op: 'gemvQ8', dtype, M: 3, N: 91, K }, { op: 'matmulQ8', dtype, M: 37, N: 91, K });
}
problems.push(
  { op: 'gemvQ8', dtype: 'q4_0', M: 1, N: 91, K: 96, chunkRows: 31 },
  { op: 'gemvQ8 (other layout)', dtype: 'q4_k', M: 8, N: 91, K: 256, chunkRows: 31 },
  { op: 'gemvQ8', dtype: 'q8_0', M: 16, N: 91, K: 96 },
  { op: 'gemvQ8 (other layout)', dtype: 'q6_k', M: 13, N: 91, K: 256 },
  { op: 'matmulQ8', dtype: 'q6_k', M: 37, N: 91, K: 256, chunkRows: 31 },
);

// One step, one scratch: q4_k GEMV, f16 (rounded), q5_0 GEMM, bf16 (rounded) and q8_0
// GEMV, each quantizing into the scratch the previous layer read.
const routed: KernelCase = {
  name: 'linearAny with q8 activations: q4_k, f16, q5_0, bf16, q8_0 sharing one scratch in one step',
  async run(gpu) {
    const [N, K] = [45, 256];
    const x = randn(12 * K, 95);
    const wf = randn(N * K, 96);
    const ts: Tensor[] = [];
    const t = (tensor: Tensor) => (ts.push(tensor), tensor);
    const scratch = t(createTensor(gpu, [actScratchWords(12, K)], 'f32'));
    const acts: LinearActs = { scratch: () => scratch };
    const x1 = t(createTensor(gpu, [1, K], 'f32', x.subarray(0, K)));
    const x12 = t(createTensor(gpu, [12, K], 'f32', x));
    const bf16 = new Uint16Array(new Uint32Array(roundRef('bf16', wf).buffer).map((v) => v >>> 16));
    const layers: [Tensor, Tensor, Float32Array][] = [
      [x1, t(createTensor(gpu, [N, K], 'q4_k', quantWeight('q4_k', N, K).bytes)), linearQ8Ref(x, quantWeight('q4_k', N, K).bytes, 'q4_k', 1, N, K)],
      [x12, t(createTensor(gpu, [N, K], 'f16', toF16(wf))), matmulRef(roundRef('f16', x), roundF16(wf), 12, N, K)],
      [x12, t(createTensor(gpu, [N, K], 'q5_0', quantWeight('q5_0', N, K).bytes)), linearQ8Ref(x, quantWeight('q5_0', N, K).bytes, 'q5_0', 12, N, K)],
      [x12, t(createTensor(gpu, [N, K], 'bf16', bf16)), linearQ8Ref(x, new Uint8Array(bf16.buffer), 'bf16', 12, N, K)],
      [x1, t(createTensor(gpu, [N, K], 'q8_0', quantWeight('q8_0', N, K).bytes)), linearQ8Ref(x, quantWeight('q8_0', N, K).bytes, 'q8_0', 1, N, K)],
    ];
    const ys = layers.map(([xi]) => t(createTensor(gpu, [xi.shape[0], N], 'f32')));
    try {
      const step = new GpuStep(gpu);
      layers.forEach(([xi, w], i) => linearAny(step, xi, w, ys[i], acts));
      await step.submit();
      for (const [i, [, w, expected]] of layers.entries()) {
        assertClose(new Float32Array(await readTensor(gpu, ys[i])), expected, linearTol(K), `${w.dtype}`);
      }
    } finally {
      ts.forEach((tensor) => tensor.destroy());
    }
  },
};

export const linearQuantQ8Cases: KernelCase[] = [
  ...problems.map((p) => {
    const name = `${p.op} ${p.dtype} M=${p.M} N=${p.N} K=${p.K}${p.chunkRows ? ` split every ${p.chunkRows} rows` : ''}`;
    return { name, run: (gpu: GpuDevice) => checkQ8(gpu, p, name) };
  }),
  routed,
];
