// Rotary position embedding on q or k, in place. See shaders/rope.wgsl.

import type { GpuDevice } from '../device.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import { createTensor, type Tensor } from '../tensor.ts';

const WG = 256;

/** Heads one invocation rotates with its cos/sin: all of them on CPU adapters (trig and
 *  per-invocation overhead dominate there), a few on GPUs (enough invocations at decode). */
function headsPerInvocation(gpu: GpuDevice): number {
  return gpu.tuning.cpuLanes ? Infinity : 4;
}

/** Default inverse frequencies theta^(-2i / rotDim), i in [0, rotDim/2), in f64. */
export function ropeInvFreq(rotDim: number, theta: number): Float64Array {
  return Float64Array.from({ length: rotDim / 2 }, (_, i) => Math.pow(theta, (-2 * i) / rotDim));
}

/**
 * Uploads a frequency table for rope(): u32 [rot_dim/2, 2] holding frac(invFreq[i] / 2pi) as
 * 64-bit fixed point (hi, lo). invFreq (radians per position) is computed on the host in f64:
 * ropeInvFreq() for plain RoPE, or a llama3 / YaRN-scaled table. Built once per model.
 */
export function createRopeFreqs(gpu: GpuDevice, invFreq: ArrayLike<number>): Tensor {
  const half = invFreq.length;
  const words = new Uint32Array(half * 2);
  for (let i = 0; i < half; i++) {
    const t = invFreq[i] / (2 * Math.PI);
    const hi = (t - Math.floor(t)) * 2 ** 32;
    words[2 * i] = Math.floor(hi);
    words[2 * i + 1] = Math.floor((hi - Math.floor(hi)) * 2 ** 32);
  }
  return createTensor(gpu, [half, 2], 'u32', words, { label: 'rope-freqs' });
}

export interface RopeOptions {
  headDim: number;
  /** NeoX pairs (i, i + rot_dim/2) (Qwen2/3); otherwise interleaved (2i, 2i+1) (llama.cpp LLAMA). */
  neox: boolean;
  /** Multiplies cos and sin (YaRN's attention factor); default 1. */
  attnFactor?: number;
  /** Heads each invocation rotates; default per device (headsPerInvocation). Tests set it
   *  to cover several head groups on any adapter. */
  headsPerInvocation?: number;
}

/**
 * Rotates x: [tokens, heads, headDim] f32 in place (any shape with that many elements).
 * positions: u32 [tokens], any values (a batch mixes sequences); freqs from createRopeFreqs,
 * whose length sets rot_dim = 2 * freqs.rows <= headDim (partial rotary leaves the rest).
 */
export function rope(step: GpuStep, x: Tensor, positions: Tensor, freqs: Tensor, opts: RopeOptions): void {
  const { headDim, neox, attnFactor = 1, headsPerInvocation: hpiOpt } = opts;
  const tokens = positions.numel;
  const half = freqs.rows;
  if (x.dtype !== 'f32' || positions.dtype !== 'u32' || freqs.dtype !== 'u32') throw new Error('rope: dtypes');
  if (freqs.numel !== half * 2 || 2 * half > headDim) throw new Error(`rope: freqs [${freqs.shape}] for head_dim ${headDim}`);
  if (tokens === 0 || x.numel % (tokens * headDim) !== 0) {
    throw new Error(`rope: x [${x.shape}] is not [${tokens}, heads, ${headDim}]`);
  }
  const heads = x.numel / (tokens * headDim);
  const hpi = Math.max(1, Math.min(heads, hpiOpt ?? headsPerInvocation(step.gpu)));
  const groups = Math.ceil(heads / hpi);
  const items = tokens * groups * half;
  const params = new Params().u32(items).u32(heads).u32(headDim).u32(half).f32(attnFactor).u32(hpi).u32(groups).bytes();
  const wgs = grid(Math.ceil(items / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension);
  const spec = { shader: 'rope', defines: { NEOX: neox }, constants: { WG } };
  step.dispatch(spec, [x.binding(), positions.binding(), freqs.binding()], params, wgs);
}
