import { embedding } from '../../../src/gpu/kernels/embedding.ts';
import { embeddingRef } from '../../../src/cpu/embedding.ts';
import { roundF16, toF16 } from '../../../src/cpu/f16.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, DTYPE_BYTES, readTensor } from '../../../src/gpu/tensor.ts';
import { assert, assertEqualArrays } from '../../helpers/assert.ts';
import { randInts, randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// A gather is exact (f16 -> f32 is exact too): tolerance 0.

interface EmbShape {
  vocab: number;
  dim: number;
  dtype: 'f32' | 'f16';
  /** Rows per chunk, forcing a split table; undefined = one chunk. */
  chunkRows?: number;
}

const shapes: EmbShape[] = [
  { vocab: 500, dim: 896, dtype: 'f32' },
  { vocab: 500, dim: 896, dtype: 'f16' },
  { vocab: 1000, dim: 131, dtype: 'f32', chunkRows: 300 },
  // Odd dim: f16 rows are 262 bytes, so rows straddle u32 words in the packed path.
  { vocab: 1000, dim: 131, dtype: 'f16', chunkRows: 333 },
];

export const embeddingCases: KernelCase[] = shapes.map((s, k) => ({
  name: `embedding ${s.dtype} vocab=${s.vocab} dim=${s.dim}${s.chunkRows ? ` split every ${s.chunkRows} rows` : ''}`,
  async run(gpu) {
    const values = randn(s.vocab * s.dim, 120 + k);
    const ref = s.dtype === 'f16' ? roundF16(values) : values;
    const maxChunkBytes = s.chunkRows ? s.chunkRows * s.dim * DTYPE_BYTES[s.dtype] : undefined;
    const data = s.dtype === 'f16' ? toF16(values) : values;
    const table = createTensor(gpu, [s.vocab, s.dim], s.dtype, data, { maxChunkBytes });
    if (s.chunkRows) assert(table.chunks.length >= 3, `expected 3+ chunks, got ${table.chunks.length}`);
    // First/last rows, both sides of each chunk boundary, a repeat, and random ids.
    const edges = [0, s.vocab - 1, 299, 300, 599, 600, 332, 333, 666, 999, 0].filter((i) => i < s.vocab);
    const ids = Uint32Array.from([...edges, ...randInts(7, s.vocab, 130 + k)]);
    const tids = createTensor(gpu, [ids.length], 'u32', ids);
    const out = createTensor(gpu, [ids.length, s.dim], 'f32');
    const step = new GpuStep(gpu);
    embedding(step, table, tids, out);
    await step.submit();
    assertEqualArrays(new Float32Array(await readTensor(gpu, out)), embeddingRef(ref, s.dim, ids), 'embedding');
    [table, tids, out].forEach((t) => t.destroy());
    return `${table.chunks.length} chunk(s)`;
  },
}));
