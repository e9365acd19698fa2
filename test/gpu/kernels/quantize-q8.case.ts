// Activation rounding (kernels/quantize-q8.ts) against the CPU reference, bit for bit: the
// q8 words (quants, scales, q8_1 sums) and the f16 / bf16 values must be identical, since
// both sides do ggml's sequence of correctly rounded f32 operations (tolerance: none).
// Inputs mix scales over 12 orders of magnitude, a zero block, blocks whose largest
// element is negative, and blocks built so x · (127 / amax) lands exactly on .5 (ties go
// to even); the f16/bf16 inputs add f16 subnormals, ties and values past f16's range.

import { q8Pack, quantizeQ8 as quantizeQ8Ref, roundActivations as roundRef } from '../../../src/cpu/quantize-q8.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { actScratchWords, quantizeQ8, roundActivations, type Q8Kind } from '../../../src/gpu/kernels/quantize-q8.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assert, assertEqualArrays } from '../../helpers/assert.ts';
import { randn, rng } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

const [M, K] = [6, 1024];

/** Random rows with a scale per 32 elements from 1e-6 to 1e6, plus the special blocks. */
function activations(seed: number): Float32Array {
  const x = randn(M * K, seed);
  const r = rng(seed + 1);
  for (let b = 0; b < x.length / 32; b++) {
    const s = 10 ** (12 * r() - 6);
    for (let j = 0; j < 32; j++) x[b * 32 + j] *= s;
  }
  x.fill(0, 64, 96); // a zero q8_0 block
  x.fill(0, 2 * K, 2 * K + 256); // a zero q8_K block
  // Ties: with amax = 127, 127 / amax = 1 and k + 0.5 rounds to the even neighbour. Each
  // 32-block holds one ±127; the q8_K block's first is -127 (and a later +127 does not
  // replace it: ggml keeps the first largest).
  for (let j = 0; j < 256; j++) x[3 * K + j] = j % 32 === 7 ? ((j >> 5) % 2 ? 127 : -127) : ((j * 7) % 50) - 25 + 0.5;
  return x;
}

async function run(gpu: GpuDevice, what: string, record: (step: GpuStep, x: ReturnType<typeof createTensor>, out: ReturnType<typeof createTensor>) => number, x: Float32Array, expected: Uint32Array): Promise<string> {
  const tx = createTensor(gpu, [M, K], 'f32', x);
  const tout = createTensor(gpu, [actScratchWords(M, K)], 'u32');
  try {
    const step = new GpuStep(gpu);
    const words = record(step, tx, tout);
    await step.submit();
    const got = new Uint32Array(await readTensor(gpu, tout)).subarray(0, words);
    assert(words === expected.length, `${what}: ${words} words, expected ${expected.length}`);
    assertEqualArrays(got, expected, what);
    return `${words} words identical`;
  } finally {
    tx.destroy();
    tout.destroy();
  }
}

const q8Case = (kind: Q8Kind, seed: number): KernelCase => ({
  name: `quantizeQ8 ${kind} M=${M} K=${K}: ggml's bits`,
  run: (gpu) => {
    const x = activations(seed);
    const expected = q8Pack(quantizeQ8Ref(kind, x, M, K));
    return run(gpu, `quantizeQ8 ${kind}`, (step, tx, out) => {
      const q = quantizeQ8(step, tx, K, kind, out);
      return q.binding.size! / 4;
    }, x, expected);
  },
});

/** f16/bf16 edge values: ties, subnormals, the f16 overflow boundary, signs. */
function roundingInputs(seed: number): Float32Array {
  const x = activations(seed);
  const edge = [1 + 2 ** -11, 1 + 3 * 2 ** -11, 1 + 2 ** -8, 1 + 3 * 2 ** -8, 2 ** -25, 3 * 2 ** -25, 2 ** -14 - 2 ** -25, 65504, 65519.99, 65520, 1e5, 1e39 / 1e10, 1e-40];
  edge.forEach((v, i) => {
    x[5 * K + 2 * i] = v;
    x[5 * K + 2 * i + 1] = -v;
  });
  return x;
}

const roundCase = (kind: 'f16' | 'bf16', seed: number): KernelCase => ({
  name: `roundActivations ${kind} M=${M} K=${K}: ggml's bits`,
  run: (gpu) => {
    const x = roundingInputs(seed);
    const ref = roundRef(kind, x);
    const expected = new Uint32Array(ref.buffer, ref.byteOffset, ref.length);
    return run(gpu, `roundActivations ${kind}`, (step, tx, out) => roundActivations(step, tx, K, kind, out).numel, x, expected);
  },
});

export const quantizeQ8Cases: KernelCase[] = [q8Case('q8_0', 11), q8Case('q8_1', 12), q8Case('q8_K', 13), roundCase('f16', 14), roundCase('bf16', 15)];
