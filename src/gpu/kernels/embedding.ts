// Token embedding lookup (row gather), over a table that may be split into chunks.
// See shaders/embedding.wgsl.

import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

const WG = 256;

/**
 * out[t, :] = table[ids[t], :]. table: [vocab, dim] f32, f16, bf16 or a GGML block format
 * (q8_0 q4_0 q4_1 q5_0 q5_1 q4_k q5_k q6_k, the file's raw bytes; rows dequantized exactly
 * as ggml's get_rows does), any number of chunks; ids: u32 [tokens], each < vocab (an id
 * out of range leaves its row of `out` unwritten); out: f32 [tokens, dim]. One dispatch
 * per chunk of the table.
 */
export function embedding(step: GpuStep, table: Tensor, ids: Tensor, out: Tensor): void {
  if (table.dtype === 'u32' || table.dtype === 'i32') throw new Error(`embedding: ${table.dtype} table`);
  if (ids.dtype !== 'u32' || out.dtype !== 'f32') throw new Error('embedding: ids u32, out f32');
  const dim = table.numel / table.rows;
  const total = ids.numel * dim;
  if (out.numel !== total) throw new Error(`embedding: out [${out.shape}] is not [${ids.numel}, ${dim}]`);
  const block = table.dtype !== 'f32' && table.dtype !== 'f16';
  // Block formats decode 4 elements at a time (blocks hold 32 or 256; bf16 needs dim % 4).
  if (block && dim % 4 !== 0) throw new Error(`embedding: ${table.dtype} rows of ${dim} elements (a multiple of 4 needed)`);
  const defines = block ? { W_BLOCK: true, [`W_${table.dtype.toUpperCase()}`]: true } : { W_F16: table.dtype === 'f16' };
  const spec = { shader: 'embedding', defines, constants: { WG } };
  const n = block ? total / 4 : total;
  const wgs = grid(Math.ceil(n / WG), step.gpu.limits.maxComputeWorkgroupsPerDimension);
  for (const c of table.chunks) {
    const params = new Params().u32(n).u32(dim).u32(c.rowStart).u32(c.rows).u32(table.rowBytes).bytes();
    step.dispatch(spec, [ids.binding(), table.chunkBinding(c), out.binding()], params, wgs);
  }
}
