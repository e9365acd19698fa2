import { createRopeFreqs, rope, ropeInvFreq } from '../../../src/gpu/kernels/rope.ts';
import { ropeRef } from '../../../src/cpu/rope.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { assertClose } from '../../helpers/assert.ts';
import { randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// Against f64. The shader's angle is exact mod 2pi to ~4e-7 rad at any position, so what is
// left is cos/sin accuracy: WGSL only guarantees an absolute error of 2^-11 on [-pi, pi], and
// an output a*cos - b*sin with |a|, |b| <= ~4.5 here may be off by 2^-11 * 9 = 4.4e-3.
// lavapipe's error is ~5e-7, SwiftShader's (Chromium) ~6e-4; a layout or angle bug is O(1).
const TOL = { atol: 9 * 2 ** -11, rtol: 0 };

// Not contiguous, and mixing sequences: near 0, around 30000, and large.
const POSITIONS = [0, 1, 2, 3, 29_999, 30_000, 30_001, 7, 131_071, 500_000, 4];

interface RopeShape {
  heads: number;
  headDim: number;
  rotDim: number;
  neox: boolean;
  theta: number;
  /** Scales part of the table, as llama3 / YaRN do on the host. */
  scaled?: boolean;
  attnFactor?: number;
  /** Forces heads per invocation (several head groups, the last one partial). */
  hpi?: number;
}

const shapes: RopeShape[] = [
  { heads: 3, headDim: 64, rotDim: 64, neox: false, theta: 10_000 },
  { heads: 2, headDim: 128, rotDim: 128, neox: true, theta: 1_000_000 },
  { heads: 2, headDim: 96, rotDim: 32, neox: true, theta: 10_000 },
  { heads: 3, headDim: 80, rotDim: 40, neox: false, theta: 10_000 },
  { heads: 2, headDim: 64, rotDim: 64, neox: false, theta: 500_000, scaled: true, attnFactor: 1.1 },
  { heads: 5, headDim: 64, rotDim: 64, neox: true, theta: 10_000, hpi: 2 },
  { heads: 5, headDim: 32, rotDim: 24, neox: false, theta: 10_000, hpi: 2 },
];

export const ropeCases: KernelCase[] = shapes.map((s, k) => ({
  name: `rope ${s.neox ? 'neox' : 'normal'} heads=${s.heads} head_dim=${s.headDim} rot_dim=${s.rotDim} theta=${s.theta}${s.scaled ? ' scaled table' : ''}${s.hpi ? ` ${s.hpi} heads per invocation` : ''}`,
  async run(gpu) {
    const tokens = POSITIONS.length;
    const invFreq = ropeInvFreq(s.rotDim, s.theta).map((f, i) => (s.scaled && i >= s.rotDim / 4 ? f / 8 : f));
    const x = randn(tokens * s.heads * s.headDim, 40 + k);
    const tx = createTensor(gpu, [tokens, s.heads, s.headDim], 'f32', x);
    const tp = createTensor(gpu, [tokens], 'u32', Uint32Array.from(POSITIONS));
    const tf = createRopeFreqs(gpu, invFreq);
    const step = new GpuStep(gpu);
    rope(step, tx, tp, tf, { headDim: s.headDim, neox: s.neox, attnFactor: s.attnFactor, headsPerInvocation: s.hpi });
    await step.submit();
    const want = ropeRef(x, POSITIONS, s.headDim, invFreq, s.neox, s.attnFactor);
    const err = assertClose(new Float32Array(await readTensor(gpu, tx)), want, TOL, 'rope');
    [tx, tp, tf].forEach((t) => t.destroy());
    return `max abs error ${err.toExponential(2)}`;
  },
}));
