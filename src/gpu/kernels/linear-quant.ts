// The linear layer with W kept in its GGML file format (bf16, q8_0, q4_0, q4_1, q5_0,
// q5_1, q4_k, q5_k, q6_k): Y[M, N] = X[M, K] · W[N, K]^T, W dequantized inside the
// kernels. GEMV for decode (shaders/gemv-quant.wgsl), tiled GEMM for prefill
// (shaders/matmul-quant.wgsl). W may be split by rows into chunks (Tensor.chunks): one
// dispatch per chunk, each writing its own Y columns. Records only: callable many times
// within one GpuStep. linearAny() is the one entry point for every weight dtype.

import { Params, type GpuStep } from '../step.ts';
import type { DType, QuantDType, Tensor } from '../tensor.ts';
import { GEMV_MAX_M, gemvSplitKWorkgroupSize, linearActivations, recordGemv, type GemvLayout, type LinearShape } from './gemv.ts';
import { linear, matmulTile } from './matmul.ts';

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

/** y = x · wᵀ for x [M ≤ 8, K] f32, w [N, K] quantized (possibly chunked), y [M, N] f32. */
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
  recordGemv(step, { shader: 'gemv-quant', defines, splitKWg, extraParams: [w.rowBytes] }, layout, x, w, y);
}

/** y = x · wᵀ, tiled, any M: x [M, K] f32, w [N, K] quantized (possibly chunked), y [M, N] f32. */
export function matmulQuant(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  const { M, N, K } = quantLinearShape('matmulQuant', x, w, y);
  const tile = matmulTile(M);
  const spec = { shader: 'matmul-quant', defines: formatDefine(w), constants: tile };
  for (const c of w.chunks) {
    const params = new Params().u32(M).u32(N).u32(K).u32(c.rowStart).u32(c.rows).u32(w.rowBytes).bytes();
    step.dispatch(spec, [x.binding(), w.chunkBinding(c), y.binding()], params, [Math.ceil(c.rows / tile.TILE_N), Math.ceil(M / tile.TILE_M)]);
  }
}

/** The quantized linear layer: GEMV for M ≤ GEMV_MAX_M (decode), tiled GEMM otherwise. */
export function linearQuant(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  const { M } = quantLinearShape('linearQuant', x, w, y);
  if (M <= GEMV_MAX_M) gemvQuant(step, x, w, y);
  else matmulQuant(step, x, w, y);
}

/** The linear layer for any weight dtype: f32/f16 → matmul.ts linear(), block formats → linearQuant(). */
export function linearAny(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  if (isQuantDType(w.dtype)) linearQuant(step, x, w, y);
  else linear(step, x, w, y);
}
