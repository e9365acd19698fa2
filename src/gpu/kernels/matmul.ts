// The linear layer for prefill: Y[M, N] = X[M, K] · W[N, K]^T as a tiled GEMM (see
// shaders/matmul.wgsl), its no-shared-memory baseline, and linear(), which picks GEMV
// for decode-sized M. W may be split by rows into chunks: one dispatch per chunk, each
// writing its own Y columns. Records only: callable many times within one GpuStep.

import type { GpuStep } from '../step.ts';
import { Params } from '../step.ts';
import type { Tensor } from '../tensor.ts';
import { gemv, GEMV_MAX_M, linearShape, weightDefines } from './gemv.ts';

/** Y tile per workgroup of the tiled kernel (8x8 per invocation) and K per stage;
 *  prompts of at most 64 tokens take 64-row tiles so fewer rows are computed and dropped. */
export function matmulTile(M: number): { TILE_M: number; TILE_N: number; TILE_K: number } {
  return { TILE_M: M > 64 ? 128 : 64, TILE_N: 128, TILE_K: 16 };
}
/** Y block per workgroup of the naive kernel (16x16 invocations, 4x4 each). */
const NAIVE_TILE = 64;

function record(step: GpuStep, op: string, naive: boolean, x: Tensor, w: Tensor, y: Tensor): void {
  const { M, N, K } = linearShape(op, x, w, y);
  const tile = matmulTile(M);
  const [tm, tn] = naive ? [NAIVE_TILE, NAIVE_TILE] : [tile.TILE_M, tile.TILE_N];
  const spec = naive
    ? { shader: 'matmul', entryPoint: 'naive', defines: weightDefines(w, K) }
    : { shader: 'matmul', entryPoint: 'main', defines: weightDefines(w, K), constants: tile };
  for (const c of w.chunks) {
    const params = new Params().u32(M).u32(N).u32(K).u32(c.rowStart).u32(c.rows).bytes();
    step.dispatch(spec, [x.binding(), w.chunkBinding(c), y.binding()], params, [Math.ceil(c.rows / tn), Math.ceil(M / tm)]);
  }
}

/** y = x · wᵀ, tiled: x [M, K] f32, w [N, K] f32|f16 (possibly chunked), y [M, N] f32. */
export function matmul(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  record(step, 'matmul', false, x, w, y);
}

/** Same result without workgroup memory: the reference figure the tiled kernel must beat. */
export function matmulNaive(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  record(step, 'matmulNaive', true, x, w, y);
}

/** The linear layer: GEMV for M ≤ GEMV_MAX_M (decode), tiled GEMM otherwise (prefill). */
export function linear(step: GpuStep, x: Tensor, w: Tensor, y: Tensor): void {
  const { M } = linearShape('linear', x, w, y);
  if (M <= GEMV_MAX_M) gemv(step, x, w, y);
  else matmul(step, x, w, y);
}
