import { rmsNorm } from '../../../src/gpu/kernels/rms-norm.ts';
import { rmsNormRef } from '../../../src/cpu/rms-norm.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assert } from '../../helpers/assert.ts';
import { randn, rng } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Bit for bit: the kernel must give ggml-cpu's rounding exactly (src/cpu/rms-norm.ts), so
// the output words are compared, not the values within a tolerance.

const f = Math.fround;

/** x[i] with a uniform exponent in [-40, 40) and a random sign: squares over 160 binades,
 *  far more than the kernel's 80-bit window below the largest. */
function wideRange(numel: number, seed: number): Float32Array {
  const r = rng(seed);
  return Float32Array.from({ length: numel }, () => (r() < 0.5 ? -1 : 1) * 2 ** (r() * 80 - 40) * (1 + r()));
}

/** Rows whose exact mean of squares is a half-way point between two f32 values, so its
 *  rounding is decided by ties-to-even alone (and a sum one ulp off flips it). Elements
 *  are in [2^12, 2^13) (squares rounded to multiples of 2 or 4, so the exact sum is an
 *  integer below 2^42, exact in f64); the last one is searched for; then all are scaled
 *  by 2^-12 (exact, ties stay ties). */
function tieRows(rows: number, n: number, seed: number): Float32Array {
  const r = rng(seed);
  const out = new Float32Array(rows * n);
  const bits = new Uint32Array(1);
  const fl = new Float32Array(bits.buffer);
  for (let row = 0; row < rows; row++) {
    for (let attempt = 0; ; attempt++) {
      assert(attempt < 100, `tieRows: no tie found for n = ${n}`);
      const x = Array.from({ length: n - 1 }, () => f(4096 * (1 + r())));
      const rest = x.reduce((s, v) => s + f(v * v), 0);
      fl[0] = f(4096 * (1 + r()));
      let found = false;
      for (let step = 0; step < 200_000 && !found; step++, bits[0]++) {
        const s = rest + f(fl[0] * fl[0]);
        if (s % n !== 0) continue;
        const mean = s / n;  // an integer in [2^24, 2^26)
        const ulp = mean >= 2 ** 25 ? 4 : 2;
        if (mean % ulp === ulp / 2) found = true;
      }
      if (!found) continue;
      x.push(fl[0]);
      x.forEach((v, i) => (out[row * n + i] = (r() < 0.5 ? -v : v) / 4096));
      break;
    }
  }
  return out;
}

/** The reference with the old kernel's f32 sum of squares (sequential here) and every
 *  later step as ggml's: what the exact sum buys. */
function f32SumRef(x: Float32Array, w: Float32Array, eps: number): Float32Array {
  const n = w.length;
  const y = new Float32Array(x.length);
  for (let base = 0; base < x.length; base += n) {
    let ss = 0;
    for (let i = 0; i < n; i++) ss = f(ss + f(x[base + i] * x[base + i]));
    const scale = f(1 / f(Math.sqrt(f(f(ss / n) + f(eps)))));
    for (let i = 0; i < n; i++) y[base + i] = f(x[base + i] * scale) * w[i];
  }
  return y;
}

interface Shape {
  name?: string;
  shape: number[];
  n: number;
  inPlace: boolean;
  eps: number;
  /** x, numel values (default: randn * 3). */
  x?: (numel: number, seed: number) => Float32Array;
  /** An f32 sum of squares must miss the reference somewhere here: the case can fail. */
  f32SumMisses?: boolean;
}

const shapes: Shape[] = [
  { shape: [1, 131], n: 131, inPlace: false, eps: 1e-6 },
  { shape: [3, 896], n: 896, inPlace: false, eps: 1e-6, f32SumMisses: true },
  { shape: [2, 1000], n: 1000, inPlace: true, eps: 1e-5 },
  // Qwen3 q/k norm: [tokens, heads, head_dim] normalized per head, weight [head_dim].
  { shape: [3, 4, 128], n: 128, inPlace: true, eps: 1e-6 },
  { shape: [5, 2, 64], n: 64, inPlace: false, eps: 1e-6 },
  { shape: [2, 4096], n: 4096, inPlace: false, eps: 1e-5 },
  { shape: [4, 7], n: 7, inPlace: false, eps: 1e-6 },
  { name: 'n = 1', shape: [6, 1], n: 1, inPlace: true, eps: 1e-6 },
  { name: 'wide range', shape: [4, 1000], n: 1000, inPlace: false, eps: 1e-6, x: wideRange, f32SumMisses: true },
  { name: 'wide range', shape: [3, 4, 33], n: 33, inPlace: true, eps: 1e-6, x: wideRange },
  // Row 0 all zeros (scale = 1/sqrt(eps)), row 1 tiny (mean far below eps), row 2 random.
  {
    name: 'zeros, tiny',
    shape: [3, 64],
    n: 64,
    inPlace: false,
    eps: 1e-6,
    x: (numel, seed) => randn(numel, seed, 3).map((v, i) => (i < 64 ? 0 : i < 128 ? v * 1e-9 : v)),
  },
  // n = 2: the f32 sum of two squares rounds once and halving is exact, so it ties the same way.
  { name: 'tied means', shape: [8, 2], n: 2, inPlace: false, eps: 1e-6, x: (numel, seed) => tieRows(numel / 2, 2, seed) },
  { name: 'tied means', shape: [8, 3], n: 3, inPlace: true, eps: 1e-6, x: (numel, seed) => tieRows(numel / 3, 3, seed), f32SumMisses: true },
  { name: 'tied means', shape: [8, 64], n: 64, inPlace: false, eps: 1e-6, x: (numel, seed) => tieRows(numel / 64, 64, seed), f32SumMisses: true },
  { name: 'tied means', shape: [3, 896], n: 896, inPlace: false, eps: 1e-6, x: (numel, seed) => tieRows(numel / 896, 896, seed), f32SumMisses: true },
];

export const rmsNormCases: KernelCase[] = shapes.map(({ name, shape, n, inPlace, eps, x: make, f32SumMisses }, k) => ({
  name: `rms-norm${name ? ` ${name}` : ''} [${shape}] n=${n}${inPlace ? ' in place' : ''}`,
  async run(gpu) {
    const numel = shape.reduce((a, b) => a * b, 1);
    const x = make ? make(numel, 10 + k) : randn(numel, 10 + k, 3);
    const w = randn(n, 20 + k, 0.5).map((v) => v + 1);
    const tx = createTensor(gpu, shape, 'f32', x), tw = createTensor(gpu, [n], 'f32', w);
    const out = inPlace ? tx : createTensor(gpu, shape, 'f32');
    const step = new GpuStep(gpu);
    rmsNorm(step, tx, tw, eps, inPlace ? undefined : out);
    await step.submit();
    const got = new Uint32Array(await readTensor(gpu, out));
    new Set([tx, tw, out]).forEach((t) => t.destroy());
    const ref = rmsNormRef(x, w, eps);
    const want = new Uint32Array(ref.buffer);
    for (let i = 0; i < want.length; i++) {
      assert(got[i] === want[i], `rms-norm: element ${i} (row ${Math.floor(i / n)}) is ${new Float32Array(got.buffer)[i]} (0x${got[i].toString(16)}), expected ${ref[i]} (0x${want[i].toString(16)})`);
    }
    const f32Sum = new Uint32Array(f32SumRef(x, w, eps).buffer);
    const misses = want.reduce((c, v, i) => c + Number(v !== f32Sum[i]), 0);
    if (f32SumMisses) assert(misses > 0, 'rms-norm: an f32 sum of squares gives the same bits here; the case cannot tell them apart');
    return `bit-exact; with an f32 sum of squares ${misses} of ${want.length} would differ`;
  },
}));
