import { embedding } from '../../../src/gpu/kernels/embedding.ts';
import { embeddingQuantRef, embeddingRef } from '../../../src/cpu/embedding.ts';
import { ggmlTypeOf } from '../../../src/cpu/linear-quant.ts';
import { roundF16, toF16 } from '../../../src/cpu/f16.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor, rowByteSize, type DType, type QuantDType } from '../../../src/gpu/tensor.ts';
import { quantize } from '../../../src/loader/quant/index.ts';
import { assert, assertEqualArrays } from '../../helpers/assert.ts';
import { randInts, randn } from '../../helpers/random.ts';
import type { KernelCase } from './case.ts';

// A gather is exact: f16 -> f32 is exact, and a block-format row is dequantized in f32
// with one rounding per element, as ggml's dequantize_row and the loader's codecs (the
// reference) do. Tolerance 0.

interface EmbShape {
  vocab: number;
  dim: number;
  dtype: 'f32' | 'f16' | QuantDType;
  /** Rows per chunk, forcing a split table; undefined = one chunk. */
  chunkRows?: number;
}

const shapes: EmbShape[] = [
  { vocab: 500, dim: 896, dtype: 'f32' },
  { vocab: 500, dim: 896, dtype: 'f16' },
  { vocab: 1000, dim: 131, dtype: 'f32', chunkRows: 300 },
  // Odd dim: f16 rows are 262 bytes, so rows straddle u32 words in the packed path.
  { vocab: 1000, dim: 131, dtype: 'f16', chunkRows: 333 },
  // Every block format the loader keeps. dim 96: 18/22/34-byte blocks leave odd rows
  // 2-byte aligned; K-quants need 256-element rows (Q6_K's 210-byte blocks are 2-byte aligned).
  ...(['q8_0', 'q4_0', 'q4_1', 'q5_0', 'q5_1'] as const).map((dtype) => ({ vocab: 400, dim: 96, dtype })),
  ...(['q4_k', 'q5_k', 'q6_k'] as const).map((dtype) => ({ vocab: 100, dim: 512, dtype })),
  { vocab: 300, dim: 48, dtype: 'bf16' },
  // Split block tables: chunks whose byte sizes are not multiples of 4.
  { vocab: 1000, dim: 96, dtype: 'q4_0', chunkRows: 333 },
  { vocab: 1000, dim: 256, dtype: 'q6_k', chunkRows: 333 },
];

/** Table bytes on the GPU, and the f32 values a gather must return. */
function table(s: EmbShape, seed: number): { data: ArrayBufferView; values: Float32Array } {
  // A spread of row scales, so block scales (and Q4_1/Q4_K mins) span several binades.
  const values = randn(s.vocab * s.dim, seed).map((v, i) => v * 2 ** ((Math.floor(i / s.dim) % 9) - 4));
  if (s.dtype === 'f32') return { data: values, values };
  if (s.dtype === 'f16') return { data: toF16(values), values: roundF16(values) };
  const bytes = quantize(ggmlTypeOf(s.dtype), values);
  return { data: bytes, values: new Float32Array(0) };
}

export const embeddingCases: KernelCase[] = shapes.map((s, k) => ({
  name: `embedding ${s.dtype} vocab=${s.vocab} dim=${s.dim}${s.chunkRows ? ` split every ${s.chunkRows} rows` : ''}`,
  async run(gpu) {
    const { data, values } = table(s, 120 + k);
    const maxChunkBytes = s.chunkRows ? s.chunkRows * rowByteSize(s.dtype as DType, s.dim) : undefined;
    const t = createTensor(gpu, [s.vocab, s.dim], s.dtype, data, { maxChunkBytes });
    if (s.chunkRows) assert(t.chunks.length >= 3, `expected 3+ chunks, got ${t.chunks.length}`);
    // First/last rows, both sides of each chunk boundary, a repeat, and random ids.
    const edges = [0, s.vocab - 1, 299, 300, 599, 600, 332, 333, 666, 999, 1, 0].filter((i) => i < s.vocab);
    const ids = Uint32Array.from([...edges, ...randInts(7, s.vocab, 130 + k)]);
    const tids = createTensor(gpu, [ids.length], 'u32', ids);
    const out = createTensor(gpu, [ids.length, s.dim], 'f32');
    try {
      const step = new GpuStep(gpu);
      embedding(step, t, tids, out);
      await step.submit();
      const expected = s.dtype === 'f32' || s.dtype === 'f16'
        ? embeddingRef(values, s.dim, ids)
        : embeddingQuantRef(data as Uint8Array, s.dtype, s.vocab, s.dim, ids);
      assertEqualArrays(new Float32Array(await readTensor(gpu, out)), expected, 'embedding');
      return `${t.chunks.length} chunk(s)`;
    } finally {
      [t, tids, out].forEach((x) => x.destroy());
    }
  },
}));
