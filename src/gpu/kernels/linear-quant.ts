// The linear layer with W kept in its GGML file format (bf16, q8_0, q4_0, q4_1, q5_0,
// q5_1, q4_k, q5_k, q6_k): Y[M, N] = X[M, K] · W[N, K]^T, W dequantized inside the
// kernels. GEMV for decode (shaders/gemv-quant.wgsl), tiled GEMM for prefill
// (shaders/matmul-quant.wgsl). W may be split by rows into chunks (Tensor.chunks): one
// dispatch per chunk, each writing its own Y columns. Records only: callable many times
// within one GpuStep. linearAny() (one product) and linearShared() (several
// reading one input) are the entry points for every weight dtype.
//
// Activations: with `acts` (ActivationQuant 'q8'), linearAny first rounds X the way ggml's
// CPU backend does for the weight's type (kernels/quantize-q8.ts): q8_0 / q8_1 / q8_K
// blocks for block formats, whose dot products then run as ggml's (integer products per
// run, times both blocks' scales: gemvQ8, matmulQ8), and f16 / bf16 values for f16 / bf16
// weights. Without it ('f32') X stays f32 and meets the exactly dequantized weights.

import { Params, type GpuStep } from '../step.ts';
import type { DType, QuantDType, Tensor } from '../tensor.ts';
import { GEMV_MAX_M, gemvSplitKWorkgroupSize, linearActivations, recordGemv, type GemvLayout, type LinearShape } from './gemv.ts';
import { linear, matmulTile } from './matmul.ts';
import { actRoundingOf, quantizeQ8, roundActivations, type ActRounding, type Q8Activations } from './quantize-q8.ts';

/** How a linear layer's activations meet its weights: 'q8' rounds them first as ggml's CPU
 *  backend does (so a model computes what llama.cpp computes), 'f32' keeps them exact. */
export type ActivationQuant = 'q8' | 'f32';

/** linearAny's activation rounding ('q8'): `scratch()` is a tensor of at least
 *  actScratchWords(M, K) words (kernels/quantize-q8.ts) that every call may overwrite. */
export interface LinearActs {
  scratch(): Tensor;
}

export const QUANT_LINEAR_DTYPES: readonly QuantDType[] = ['bf16', 'q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1', 'q4_k', 'q5_k', 'q6_k'];

export function isQuantDType(d: DType): d is QuantDType {
  return (QUANT_LINEAR_DTYPES as readonly string[]).includes(d);
}

/** Elements one GEMV invocation decodes at once (shaders/lib/quant-blocks.wgsl QU_ELEMS); K must be a multiple. */
function unitElems(d: QuantDType): number {
  return d === 'bf16' ? 16 : 32;
}
/** Checks x [M, K] f32, w [N, K] in a quant dtype, y [M, N] f32 (x, y may have any leading dims). */
export function quantLinearShape(op: string, x: Tensor, w: Tensor, y: Tensor): LinearShape {
  if (w.shape.length !== 2) throw new Error(`${op}: weight must be 2-D [N, K], got [${w.shape}]`);
  if (!isQuantDType(w.dtype)) throw new Error(`${op}: weight dtype ${w.dtype} is not a block format`);
  const shape = linearActivations(op, x, w, y);
  const unit = unitElems(w.dtype);
  if (shape.K % unit !== 0) throw new Error(`${op}: ${w.dtype} weights need K % ${unit} == 0, got K=${shape.K}`);
  return shape;
}

/** The shader define naming W's format: W_Q4_K for 'q4_k'. */
function formatDefine(w: Tensor): Record<string, boolean> {
  return { [`W_${w.dtype.toUpperCase()}`]: true };
}

/** y = x · wᵀ for x [M ≤ GEMV_MAX_M (16), K] f32, w [N, K] quantized (possibly chunked), y [M, N] f32. */
export function gemvQuant(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  gemvQuantWithLayout(step, x, w, y, step.gpu.tuning.gemvLayout);
}

/** gemvQuant with an explicit layout (tests cover both on any adapter). */
export function gemvQuantWithLayout(step: GpuStep, x: Tensor, w: Tensor, y: Tensor, layout: GemvLayout): void {
  const { M, K } = quantLinearShape('gemvQuant', x, w, y);
  if (M < 1 || M > GEMV_MAX_M) throw new Error(`gemvQuant: M=${M} outside 1..${GEMV_MAX_M}; use matmulQuant`);
  // split-k: about two units per invocation, 32..256 invocations.
  const splitKWg = gemvSplitKWorkgroupSize(K / unitElems(w.dtype as QuantDType), 2, 32);
  const defines = { ...formatDefine(w), XM: M };
  recordGemv(step, { shader: 'gemv-quant', defines, splitKWg, extraParams: [w.rowBytes, 0, 0] }, layout, x.binding(), w, y);
}

/** The checks of a q8 product: w [N, K] in a block format whose activation blocks are
 *  xq's, y [M, N] f32. */
function q8Shape(op: string, xq: Q8Activations, w: Tensor, y: Tensor): LinearShape {
  const { M, K } = xq;
  if (w.shape.length !== 2 || w.shape[1] !== K) throw new Error(`${op}: weight [${w.shape}] is not [N, ${K}]`);
  if (actRoundingOf(w.dtype) !== xq.kind) throw new Error(`${op}: ${w.dtype} weights take ${actRoundingOf(w.dtype)} activations, not ${xq.kind}`);
  const N = w.shape[0];
  if (y.dtype !== 'f32' || y.numel !== M * N) throw new Error(`${op}: y [${y.shape}] is not f32 [${M}, ${N}]`);
  return { M, N, K };
}

/** y = xq · wᵀ for q8 activations xq [M ≤ GEMV_MAX_M (16), K] (quantizeQ8 with w's kind), w [N, K]
 *  quantized (possibly chunked), y [M, N] f32: ggml's dot products. */
export function gemvQ8(step: GpuStep, xq: Q8Activations, w: Tensor, y: Tensor, layout: GemvLayout = step.gpu.tuning.gemvLayout): void {
  const { M, K } = q8Shape('gemvQ8', xq, w, y);
  if (M < 1 || M > GEMV_MAX_M) throw new Error(`gemvQ8: M=${M} outside 1..${GEMV_MAX_M}; use matmulQ8`);
  const splitKWg = gemvSplitKWorkgroupSize(K / 32, 2, 32);
  const defines = { ...formatDefine(w), XM: M, X_Q8: true };
  recordGemv(step, { shader: 'gemv-quant', defines, splitKWg, extraParams: [w.rowBytes, xq.dOffset, xq.sOffset] }, layout, xq.binding, w, y);
}

/** y = xq · wᵀ, tiled, any M: xq [M, K] q8 activations, w [N, K] quantized, y [M, N] f32. */
export function matmulQ8(step: GpuStep, xq: Q8Activations, w: Tensor, y: Tensor): void {
  const { M, N, K } = q8Shape('matmulQ8', xq, w, y);
  recordMatmulQuant(step, { X_Q8: true }, xq.binding, w, y, M, N, K, [xq.dOffset, xq.sOffset]);
}

/** y = x · wᵀ, tiled, any M: x [M, K] f32, w [N, K] quantized (possibly chunked), y [M, N] f32. */
export function matmulQuant(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  const { M, N, K } = quantLinearShape('matmulQuant', x, w, y);
  recordMatmulQuant(step, {}, x.binding(), w, y, M, N, K, [0, 0]);
}

/** One matmul-quant dispatch per chunk of w; x is X's f32 rows or (X_Q8) its q8 words. */
function recordMatmulQuant(step: GpuStep, defines: Record<string, boolean>, x: GPUBufferBinding, w: Tensor, y: Tensor, M: number, N: number, K: number, xOffsets: [number, number]): void {
  // TILE_K = 16 divides every format's run of shared scales (X_Q8). X_Q8 also keeps two
  // vec2 of scales per tile row: past the limit (16 KiB on some devices), halve TILE_M.
  let tile = matmulTile(M);
  const wgBytes = (t: typeof tile) => 4 * t.TILE_K * (t.TILE_M + t.TILE_N) + (defines.X_Q8 ? 8 * (t.TILE_M + t.TILE_N) : 0);
  if (wgBytes(tile) > step.gpu.limits.maxComputeWorkgroupStorageSize) tile = { ...tile, TILE_M: 64 };
  const spec = { shader: 'matmul-quant', defines: { ...formatDefine(w), ...defines }, constants: tile };
  for (const c of w.chunks) {
    const params = new Params().u32(M).u32(N).u32(K).u32(c.rowStart).u32(c.rows).u32(w.rowBytes).u32(xOffsets[0]).u32(xOffsets[1]).bytes();
    step.dispatch(spec, [x, w.chunkBinding(c), y.binding()], params, [Math.ceil(c.rows / tile.TILE_N), Math.ceil(M / tile.TILE_M)]);
  }
}

/** The linear layer for any weight dtype: f32/f16 → matmul.ts linear(), block formats →
 *  GEMV for M ≤ GEMV_MAX_M (decode), tiled GEMM otherwise. With `acts`, X is first
 *  rounded as ggml rounds it for w's type. */
export function linearAny(step: GpuStep, x: Tensor, w: Tensor, y: Tensor, acts?: LinearActs): void {
  linearShared(step, x, [[w, y]], acts);
}

/**
 * y_i = x · w_iᵀ for several weights reading the same x (q, k, v; gate, up), any dtypes.
 * With `acts`, x is rounded once per activation format the weights need (one
 * quantize-q8 dispatch for a Q/K/V of one type instead of three), products grouped by
 * that format so each runs while the shared scratch holds its rounding.
 */
export function linearShared(step: GpuStep, x: Tensor, products: readonly (readonly [Tensor, Tensor])[], acts?: LinearActs): void {
  const byKind = new Map<ActRounding | null, (readonly [Tensor, Tensor])[]>();
  for (const pr of products) {
    const kind = acts ? actRoundingOf(pr[0].dtype) : null;
    (byKind.get(kind) ?? byKind.set(kind, []).get(kind)!).push(pr);
  }
  for (const [kind, group] of byKind) {
    if (kind === null) {
      for (const [w, y] of group) linearExact(step, x, w, y);
      continue;
    }
    const K = group[0][0].shape[1];
    for (const [w, y] of group) quantLinearShapeAny('linearShared', x, w, y);
    if (kind === 'f16' || kind === 'bf16') {
      const xr = roundActivations(step, x, K, kind, acts!.scratch());
      for (const [w, y] of group) linearExact(step, xr, w, y);
      continue;
    }
    const xq = quantizeQ8(step, x, K, kind, acts!.scratch());
    for (const [w, y] of group) {
      if (xq.M <= GEMV_MAX_M) gemvQ8(step, xq, w, y);
      else matmulQ8(step, xq, w, y);
    }
  }
}

/** x · wᵀ with x as given (f32, or already rounded): f32/f16 → linear(), block formats → GEMV/GEMM. */
function linearExact(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  if (!isQuantDType(w.dtype)) return linear(step, x, w, y);
  const { M } = quantLinearShape('linearAny', x, w, y);
  if (M <= GEMV_MAX_M) gemvQuant(step, x, w, y);
  else matmulQuant(step, x, w, y);
}

/** The shape checks of a product before anything is recorded (quantized or not). */
function quantLinearShapeAny(op: string, x: Tensor, w: Tensor, y: Tensor): void {
  if (isQuantDType(w.dtype)) quantLinearShape(op, x, w, y);
  else linearActivations(op, x, w, y);
}
