// Token embedding lookup (row gather), over a table that may be split into chunks.
// See shaders/embedding.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

/**
 * out[t, :] = table[ids[t], :]. table: [vocab, dim] f32 or f16, any number of chunks;
 * ids: u32 [tokens], each < vocab (an id out of range leaves its row of `out` unwritten);
 * out: f32 [tokens, dim]. One dispatch per chunk of the table.
 */
export function embedding(step: GpuStep, table: Tensor, ids: Tensor, out: Tensor): void {
  if (table.dtype !== 'f32' && table.dtype !== 'f16') throw new Error(`embedding: ${table.dtype} table`);
  if (ids.dtype !== 'u32' || out.dtype !== 'f32') throw new Error('embedding: ids u32, out f32');
  const dim = table.numel / table.rows;
  const total = ids.numel * dim;
  if (out.numel !== total) throw new Error(`embedding: out [${out.shape}] is not [${ids.numel}, ${dim}]`);
  const spec = { shader: 'embedding', defines: { W_F16: table.dtype === 'f16' }, constants: { WG } };
  const wgs = grid(Math.ceil(total / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension);
  for (const c of table.chunks) {
    const params = new Params().u32(total).u32(dim).u32(c.rowStart).u32(c.rows).bytes();
    step.dispatch(spec, [ids.binding(), table.chunkBinding(c), out.binding()], params, wgs);
  }
}
