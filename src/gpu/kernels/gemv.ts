// GEMV for decode: Y[M, N] = X[M, K] · W[N, K]^T with M = 1..8 (see shaders/gemv.wgsl).
// W may be split by rows into chunks (Tensor.chunks); each chunk is one dispatch that
// writes its own Y columns. Records only: callable many times within one GpuStep.

import type { GpuTuning } from '../device.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

/** Largest M gemv handles; linear() switches to the tiled GEMM above it. */
export const GEMV_MAX_M = 8;
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
  const [N, K] = w.shape;
  const M = x.numel / K;
  if (x.shape[x.shape.length - 1] !== K || !Number.isInteger(M)) {
    throw new Error(`${op}: x [${x.shape}] does not end in K=${K}`);
  }
  if (y.numel !== M * N) throw new Error(`${op}: y [${y.shape}] is not [${M}, ${N}]`);
  if (x.dtype !== 'f32' || y.dtype !== 'f32') throw new Error(`${op}: x and y must be f32`);
  if (w.dtype !== 'f32' && w.dtype !== 'f16') throw new Error(`${op}: weight dtype ${w.dtype} unsupported`);
  return { M, N, K };
}

/** Shader defines for W's storage: f16 or f32, and 4-wide loads when K allows them. */
export function weightDefines(w: Tensor, K: number): Record<string, boolean> {
  return { W_F16: w.dtype === 'f16', VEC4: K % 4 === 0 };
}

/** How a GEMV splits its work; chosen per device (GpuTuning.gemvLayout). */
export type GemvLayout = GpuTuning['gemvLayout'];

/** split-k: invocations splitting K, at least 16 four-element steps each, 64..256 (fewer
 *  threads per workgroup means cheaper reductions). */
function splitKWorkgroupSize(K: number): number {
  let wg = 64;
  while (wg < 256 && wg * 64 < K) wg *= 2;
  return wg;
}

/** rows: invocations per workgroup. Small, so even N = 1024 gives 16 workgroups to spread
 *  over CPU threads; 8..64 measured alike on lavapipe. */
const ROWS_WG = 16;

/** y = x · wᵀ for x [M ≤ 8, K], w [N, K] (f32 or f16, possibly chunked), y [M, N]. */
export function gemv(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  gemvWithLayout(step, x, w, y, step.gpu.tuning.gemvLayout);
}

/** gemv with an explicit layout (tests cover both on any adapter). */
export function gemvWithLayout(step: GpuStep, x: Tensor, w: Tensor, y: Tensor, layout: GemvLayout): void {
  const { M, N, K } = linearShape('gemv', x, w, y);
  if (M < 1 || M > GEMV_MAX_M) throw new Error(`gemv: M=${M} outside 1..${GEMV_MAX_M}; use matmul`);
  const rows = layout === 'rows';
  const WG = rows ? ROWS_WG : splitKWorkgroupSize(K);
  const spec = {
    shader: 'gemv',
    entryPoint: rows ? 'rows' : 'main',
    defines: { ...weightDefines(w, K), XM: M },
    constants: { WG },
  };
  const rowsPerWg = rows ? ROWS_PER_WG * WG : ROWS_PER_WG;
  const maxWg = step.gpu.limits.maxComputeWorkgroupsPerDimension;
  for (const c of w.chunks) {
    const params = new Params().u32(K).u32(N).u32(c.rowStart).u32(c.rows).bytes();
    step.dispatch(spec, [x.binding(), w.chunkBinding(c), y.binding()], params, grid(Math.ceil(c.rows / rowsPerWg), maxWg));
  }
}
