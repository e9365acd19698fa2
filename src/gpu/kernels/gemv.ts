// GEMV for decode: Y[M, N] = X[M, K] · W[N, K]^T with M = 1..8 (see shaders/gemv.wgsl).
// W may be split by rows into chunks (Tensor.chunks); each chunk is one dispatch that
// writes its own Y columns. Records only: callable many times within one GpuStep.

import type { GpuTuning } from '../device.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';
import type { Defines } from '../wgsl-preprocess.ts';

/** Largest M gemv handles; linear() switches to the tiled GEMM above it. */
export const GEMV_MAX_M = 16;
/** W rows per workgroup (split-k) or per invocation (rows): the lanes of one vec4. */
const ROWS_PER_WG = 4;

export interface LinearShape {
  M: number;
  N: number;
  K: number;
}

/** Checks x [M, K] f32, w [N, K] f32|f16, y [M, N] f32 (x, y may have any leading dims). */
export function linearShape(op: string, x: Tensor, w: Tensor, y: Tensor): LinearShape {
  if (w.shape.length !== 2) throw new Error(`${op}: weight must be 2-D [N, K], got [${w.shape}]`);
  const shape = linearActivations(op, x, w, y);
  if (w.dtype !== 'f32' && w.dtype !== 'f16') throw new Error(`${op}: weight dtype ${w.dtype} unsupported`);
  return shape;
}

/** The checks every linear layer makes past W's own (W 2-D [N, K]): x [M, K] and y [M, N]
 *  f32, any leading dims. Shared with linear-quant.ts's quantLinearShape. */
export function linearActivations(op: string, x: Tensor, w: Tensor, y: Tensor): LinearShape {
  const [N, K] = w.shape;
  const M = x.numel / K;
  if (x.shape[x.shape.length - 1] !== K || !Number.isInteger(M)) {
    throw new Error(`${op}: x [${x.shape}] does not end in K=${K}`);
  }
  if (y.numel !== M * N) throw new Error(`${op}: y [${y.shape}] is not [${M}, ${N}]`);
  if (x.dtype !== 'f32' || y.dtype !== 'f32') throw new Error(`${op}: x and y must be f32`);
  return { M, N, K };
}

/** Shader defines for W's storage: f16 or f32, and 4-wide loads when K allows them. */
export function weightDefines(w: Tensor, K: number): Record<string, boolean> {
  return { W_F16: w.dtype === 'f16', VEC4: K % 4 === 0 };
}

/** How a GEMV splits its work; chosen per device (GpuTuning.gemvLayout). */
export type GemvLayout = GpuTuning['gemvLayout'];

/** split-k: invocations per workgroup for `steps` units of work along K, at least
 *  `perInvocation` each, from `min` up to 256 (fewer threads per workgroup means cheaper
 *  reductions). gemv: K elements, 64 each (16 four-element steps), from 64. */
export function gemvSplitKWorkgroupSize(steps: number, perInvocation: number, min: number): number {
  let wg = min;
  while (wg < 256 && wg * perInvocation < steps) wg *= 2;
  return wg;
}

/** rows: invocations per workgroup. Small, so even N = 1024 gives 16 workgroups to spread
 *  over CPU threads; 8..64 measured alike on lavapipe (gemv-quant: 8 and 16 alike). */
const ROWS_WG = 16;

/** What a GEMV shader's dispatch needs beyond x, w, y: gemv.wgsl and gemv-quant.wgsl share
 *  entry points (main for split-k, rows), grid and the leading Params fields. */
export interface GemvShader {
  shader: string;
  defines: Defines;
  /** The split-k layout's workgroup size (gemvSplitKWorkgroupSize). */
  splitKWg: number;
  /** u32 Params fields after k, n, n_off, n_rows (gemv-quant: row_bytes, xd_off, xs_off). */
  extraParams?: readonly number[];
}

/** Records one dispatch of a GEMV shader per chunk of w (checked by the caller), each
 *  writing Y columns rowStart .. rowStart + rows. x: X's rows (f32, or gemv-quant's q8 words). */
export function recordGemv(step: GpuStep, g: GemvShader, layout: GemvLayout, x: GPUBufferBinding, w: Tensor, y: Tensor): void {
  const [N, K] = w.shape;
  const rows = layout === 'rows';
  const WG = rows ? ROWS_WG : g.splitKWg;
  const spec = { shader: g.shader, entryPoint: rows ? 'rows' : 'main', defines: g.defines, constants: { WG } };
  const rowsPerWg = rows ? ROWS_PER_WG * WG : ROWS_PER_WG;
  const maxWg = step.gpu.limits.maxComputeWorkgroupsPerDimension;
  for (const c of w.chunks) {
    const p = new Params().u32(K).u32(N).u32(c.rowStart).u32(c.rows);
    for (const v of g.extraParams ?? []) p.u32(v);
    step.dispatch(spec, [x, w.chunkBinding(c), y.binding()], p.bytes(), grid(Math.ceil(c.rows / rowsPerWg), maxWg));
  }
}

/** y = x · wᵀ for x [M ≤ GEMV_MAX_M (16), K], w [N, K] (f32 or f16, possibly chunked), y [M, N]. */
export function gemv(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  gemvWithLayout(step, x, w, y, step.gpu.tuning.gemvLayout);
}

/** gemv with an explicit layout (tests cover both on any adapter). */
export function gemvWithLayout(step: GpuStep, x: Tensor, w: Tensor, y: Tensor, layout: GemvLayout): void {
  const { M, K } = linearShape('gemv', x, w, y);
  if (M < 1 || M > GEMV_MAX_M) throw new Error(`gemv: M=${M} outside 1..${GEMV_MAX_M}; use matmul`);
  const splitKWg = gemvSplitKWorkgroupSize(K, 64, 64);
  recordGemv(step, { shader: 'gemv', defines: { ...weightDefines(w, K), XM: M }, splitKWg }, layout, x.binding(), w, y);
}
