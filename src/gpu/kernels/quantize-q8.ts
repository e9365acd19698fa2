// Activations rounded for a weight's dot product as ggml's CPU backend does it (its
// vec_dot_type; shaders/quantize-q8.wgsl, reference src/cpu/quantize-q8.ts): q8 blocks for
// block-format weights, f16 / bf16 values for f16 / bf16 weights. The result lands in a
// caller-owned scratch tensor that every linear layer of a step may reuse: dispatches run
// in recording order, so one layer's quantize-then-dot is done before the next overwrites
// the scratch.

import { grid, Params, type GpuStep } from '../step.ts';
import { Tensor, type DType, type QuantDType } from '../tensor.ts';

/** ggml's activation blocks: q8_0 / q8_1 for the legacy formats, q8_K for K-quants. */
export type Q8Kind = 'q8_0' | 'q8_1' | 'q8_K';
/** What a weight's dot product rounds its activations to: q8 blocks, or f16 / bf16 values. */
export type ActRounding = Q8Kind | 'f16' | 'bf16';

/** Elements per activation block. */
export const Q8_BLOCK: Readonly<Record<Q8Kind, number>> = { q8_0: 32, q8_1: 32, q8_K: 256 };

/** The activation blocks ggml pairs with a block format (its vec_dot_type); null for bf16. */
export function q8KindOf(dtype: QuantDType): Q8Kind | null {
  switch (dtype) {
    case 'q4_0': case 'q5_0': case 'q8_0': return 'q8_0';
    case 'q4_1': case 'q5_1': return 'q8_1';
    case 'q4_k': case 'q5_k': case 'q6_k': return 'q8_K';
    default: return null;
  }
}

/** The rounding ggml gives the activations of a weight of `dtype`; null: none (f32). */
export function actRoundingOf(dtype: DType): ActRounding | null {
  if (dtype === 'f16' || dtype === 'bf16') return dtype;
  return dtype === 'f32' || dtype === 'u32' || dtype === 'i32' ? null : q8KindOf(dtype);
}

/** Words of the q8 layout of [M, K]: M·K/4 words of quants (4 int8 per u32, little-endian,
 *  row-major), then one f32 scale per block from dOffset, then (q8_1) one f32 s per block
 *  from sOffset. */
export function q8Words(kind: Q8Kind, M: number, K: number): { words: number; dOffset: number; sOffset: number } {
  const dOffset = (M * K) / 4;
  const sOffset = dOffset + (M * K) / Q8_BLOCK[kind];
  return { words: sOffset + (kind === 'q8_1' ? (M * K) / 32 : 0), dOffset, sOffset };
}

/** X [M, K] as q8 blocks in a scratch buffer (layout: src/cpu/quantize-q8.ts q8Pack). */
export interface Q8Activations {
  readonly kind: Q8Kind;
  readonly M: number;
  readonly K: number;
  readonly binding: GPUBufferBinding;
  /** Word offsets of the block scales and of q8_1's sums. */
  readonly dOffset: number;
  readonly sOffset: number;
}

/** Scratch words that rounding any [M, K] activation takes (f16/bf16 values: M·K). */
export function actScratchWords(M: number, K: number): number {
  return M * K;
}

const WG = 64;

function dispatch(step: GpuStep, x: Tensor, kind: ActRounding, scratch: Tensor, words: number, dOffset: number, sOffset: number, blocks: number): GPUBufferBinding {
  if (scratch.chunks.length !== 1 || scratch.byteLength < words * 4) {
    throw new Error(`quantizeActivations: scratch of ${scratch.byteLength} bytes is under the ${words * 4} needed`);
  }
  const binding = { buffer: scratch.chunks[0].buffer, offset: 0, size: words * 4 };
  const defines = { Q8_0: kind === 'q8_0', Q8_1: kind === 'q8_1', Q8_K: kind === 'q8_K', ROUND_F16: kind === 'f16', ROUND_BF16: kind === 'bf16' };
  const params = new Params().u32(blocks).u32(dOffset).u32(sOffset).bytes();
  step.dispatch({ shader: 'quantize-q8', defines, constants: { WG } }, [x.binding(), binding], params, grid(Math.ceil(blocks / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension));
  return binding;
}

function shapeOf(op: string, x: Tensor, K: number, block: number): number {
  const M = x.numel / K;
  if (x.dtype !== 'f32' || x.shape[x.shape.length - 1] !== K || !Number.isInteger(M)) throw new Error(`${op}: x [${x.shape}] ${x.dtype} is not f32 [M, ${K}]`);
  if (K % block !== 0) throw new Error(`${op}: K=${K} is not a multiple of ${block}`);
  return M;
}

/** x [M, K] f32 → q8 blocks of `kind` in `scratch` (at least actScratchWords(M, K) words). */
export function quantizeQ8(step: GpuStep, x: Tensor, K: number, kind: Q8Kind, scratch: Tensor): Q8Activations {
  const M = shapeOf('quantizeQ8', x, K, Q8_BLOCK[kind]);
  const { words, dOffset, sOffset } = q8Words(kind, M, K);
  const binding = dispatch(step, x, kind, scratch, words, dOffset, sOffset, (M * K) / Q8_BLOCK[kind]);
  return { kind, M, K, binding, dOffset, sOffset };
}

/** x [M, K] f32 → its values rounded to f16 or bf16, an f32 [M, K] view of `scratch`
 *  (valid until the scratch is next written; never destroy it). */
export function roundActivations(step: GpuStep, x: Tensor, K: number, kind: 'f16' | 'bf16', scratch: Tensor): Tensor {
  const M = shapeOf('roundActivations', x, K, 4);
  const binding = dispatch(step, x, kind, scratch, M * K, 0, 0, (M * K) / 4);
  return new Tensor([M, K], 'f32', [{ buffer: binding.buffer, rowStart: 0, rows: M }], step.gpu, false);
}
