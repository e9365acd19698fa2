// The problems bench/kernels.ts times: LLM-shaped (a ~7B model's hidden 4096, FFN 11008,
// a 152k vocabulary), with the bytes each kernel must move and the flops it performs.

import type { GpuDevice } from '../src/gpu/device.ts';
import { add } from '../src/gpu/kernels/add.ts';
import { gemv } from '../src/gpu/kernels/gemv.ts';
import { gemvQuant, matmulQuant } from '../src/gpu/kernels/linear-quant.ts';
import { matmul } from '../src/gpu/kernels/matmul.ts';
import { rmsNorm } from '../src/gpu/kernels/rms-norm.ts';
import { createRopeFreqs, rope, ropeInvFreq } from '../src/gpu/kernels/rope.ts';
import { siluMul } from '../src/gpu/kernels/silu-mul.ts';
import { softmax } from '../src/gpu/kernels/softmax.ts';
import type { GpuStep } from '../src/gpu/step.ts';
import { createTensor, rowByteSize, type DType, type QuantDType, type Tensor } from '../src/gpu/tensor.ts';
import { quantize } from '../src/loader/quant/index.ts';
import { ggmlTypeOf } from '../src/cpu/linear-quant.ts';
import { randn } from '../test/helpers/random.ts';
import { attentionBenches } from './attention-cases.ts';

export interface KernelBench {
  kernel: string;
  shape: string;
  /** Bytes the kernel must read + write at minimum. */
  bytes: number;
  flops: number;
  reps?: number;
  setup(gpu: GpuDevice): { record(step: GpuStep): void; destroy(): void };
}

const f32 = (gpu: GpuDevice, shape: number[], seed = 1): Tensor =>
  createTensor(gpu, shape, 'f32', randn(shape.reduce((a, b) => a * b, 1), seed, 0.5));

function weight(gpu: GpuDevice, n: number, k: number, dtype: DType): Tensor {
  const data = randn(n * k, 7, 0.02);
  if (dtype === 'f32') return createTensor(gpu, [n, k], 'f32', data);
  const h = new Uint16Array(n * k);
  // Any f16 bit pattern works for timing; a valid small value keeps NaNs out.
  h.fill(0x2000);
  return createTensor(gpu, [n, k], 'f16', h);
}

function linearBench(kernel: 'gemv' | 'matmul', M: number, N: number, K: number, dtype: DType): KernelBench {
  const wBytes = dtype === 'f16' ? 2 : 4;
  return {
    kernel: `${kernel} ${dtype}`,
    shape: `M=${M} N=${N} K=${K}`,
    bytes: N * K * wBytes + M * K * 4 + M * N * 4,
    flops: 2 * M * N * K,
    reps: kernel === 'gemv' ? 8 : 2,
    setup(gpu) {
      const x = f32(gpu, [M, K], 2);
      const w = weight(gpu, N, K, dtype);
      const y = createTensor(gpu, [M, N], 'f32');
      const fn = kernel === 'gemv' ? gemv : matmul;
      return { record: (s) => fn(s, x, w, y), destroy: () => [x, w, y].forEach((t) => t.destroy()) };
    },
  };
}

/** Linear layer with W in a GGML block format: 16 quantized rows repeated (timing does
 *  not depend on the values; the k-quant searches are slow on 16M elements). */
function quantLinearBench(kernel: 'gemv' | 'matmul', M: number, N: number, K: number, dtype: QuantDType): KernelBench {
  const rowBytes = rowByteSize(dtype, K);
  return {
    kernel: `${kernel} ${dtype}`,
    shape: `M=${M} N=${N} K=${K}`,
    bytes: N * rowBytes + M * K * 4 + M * N * 4,
    flops: 2 * M * N * K,
    reps: kernel === 'gemv' ? 8 : 2,
    setup(gpu) {
      const x = f32(gpu, [M, K], 2);
      const rows = quantize(ggmlTypeOf(dtype), randn(16 * K, 7, 0.02));
      const bytes = new Uint8Array(N * rowBytes);
      for (let r = 0; r < N; r += 16) bytes.set(rows.subarray(0, Math.min(16, N - r) * rowBytes), r * rowBytes);
      const w = createTensor(gpu, [N, K], dtype, bytes);
      const y = createTensor(gpu, [M, N], 'f32');
      const fn = kernel === 'gemv' ? gemvQuant : matmulQuant;
      return { record: (s) => fn(s, x, w, y), destroy: () => [x, w, y].forEach((t) => t.destroy()) };
    },
  };
}

export function kernelBenches(_gpu: GpuDevice, quick: boolean): KernelBench[] {
  const H = quick ? 1024 : 4096;
  const FFN = quick ? 2816 : 11008;
  const VOCAB = quick ? 32000 : 151936;
  const T = 64; // tokens in a prefill chunk
  return [
    linearBench('gemv', 1, H, H, 'f32'),
    linearBench('gemv', 1, H, H, 'f16'),
    linearBench('gemv', 8, H, H, 'f16'),
    linearBench('matmul', 512, 512, 512, 'f32'),
    linearBench('matmul', 512, 512, 512, 'f16'),
    linearBench('matmul', T, FFN, H / 4, 'f32'),
    quantLinearBench('gemv', 1, H, H, 'q8_0'),
    quantLinearBench('gemv', 1, H, H, 'q4_0'),
    quantLinearBench('gemv', 1, H, H, 'q4_k'),
    quantLinearBench('gemv', 1, H, H, 'q6_k'),
    quantLinearBench('matmul', 512, 512, 512, 'q4_0'),
    quantLinearBench('matmul', 512, 512, 512, 'q4_k'),
    {
      kernel: 'rms-norm',
      shape: `rows=${T} n=${H}`,
      bytes: (2 * T * H + H) * 4,
      flops: 4 * T * H,
      setup(gpu) {
        const x = f32(gpu, [T, H]), w = f32(gpu, [H], 3), y = createTensor(gpu, [T, H], 'f32');
        return { record: (s) => rmsNorm(s, x, w, 1e-6, y), destroy: () => [x, w, y].forEach((t) => t.destroy()) };
      },
    },
    {
      kernel: 'rope neox',
      shape: `tokens=${T} heads=32 d=128`,
      bytes: 2 * T * 32 * 128 * 4,
      flops: 6 * T * 32 * 128,
      setup(gpu) {
        const x = f32(gpu, [T, 32, 128]);
        const pos = createTensor(gpu, [T], 'u32', Uint32Array.from({ length: T }, (_, i) => 1000 + i));
        const freqs = createRopeFreqs(gpu, ropeInvFreq(128, 1e6));
        return {
          record: (s) => rope(s, x, pos, freqs, { headDim: 128, neox: true }),
          destroy: () => [x, pos, freqs].forEach((t) => t.destroy()),
        };
      },
    },
    {
      kernel: 'softmax',
      shape: `rows=8 n=${VOCAB}`,
      bytes: 2 * 8 * VOCAB * 4,
      flops: 5 * 8 * VOCAB,
      setup(gpu) {
        const x = f32(gpu, [8, VOCAB]), y = createTensor(gpu, [8, VOCAB], 'f32');
        return { record: (s) => softmax(s, x, VOCAB, { out: y }), destroy: () => [x, y].forEach((t) => t.destroy()) };
      },
    },
    {
      kernel: 'silu-mul',
      shape: `tokens=${T} n=${FFN}`,
      bytes: 3 * T * FFN * 4,
      flops: 6 * T * FFN,
      setup(gpu) {
        const g = f32(gpu, [T, FFN]), u = f32(gpu, [T, FFN], 2), o = createTensor(gpu, [T, FFN], 'f32');
        return { record: (s) => siluMul(s, g, u, o), destroy: () => [g, u, o].forEach((t) => t.destroy()) };
      },
    },
    {
      kernel: 'add',
      shape: `n=${T * H}`,
      bytes: 3 * T * H * 4,
      flops: T * H,
      setup(gpu) {
        const a = f32(gpu, [T * H]), b = f32(gpu, [T * H], 2), o = createTensor(gpu, [T * H], 'f32');
        return { record: (s) => add(s, a, b, o), destroy: () => [a, b, o].forEach((t) => t.destroy()) };
      },
    },
    ...attentionBenches(quick),
  ];
}
