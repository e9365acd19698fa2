// The paged-KV scenario shared by kv-cache.case.ts and attention.case.ts: a mixed batch
// over a shuffled block layout. A first step writes the history (A's 20 and B's 57
// cached tokens); the second writes the new tokens and runs attention:
//   A: prefill chunk of 13 tokens at positions 20..32
//   B: one decode token at position 57
//   C: prefill of 5 tokens from position 0
import { kvWriteRef } from '../../../src/cpu/kv-write.ts';
import { attention } from '../../../src/gpu/kernels/attention.ts';
import { kvWrite } from '../../../src/gpu/kernels/kv-write.ts';
import { buildBatchInfo, uploadBatch, type BatchInfo, type BatchInfoOptions } from '../../../src/gpu/kv-batch.ts';
import { KvCache, type KvBits } from '../../../src/gpu/kv-cache.ts';
import type { GpuDevice } from '../../../src/gpu/device.ts';
import { GpuStep } from '../../../src/gpu/step.ts';
import { createTensor, readTensor } from '../../../src/gpu/tensor.ts';
import { randn } from '../../helpers/random.ts';

export const BLOCK_SIZE = 16;
const NUM_BLOCKS = 12;
const TABLES = { A: [7, 2, 10], B: [5, 11, 0, 8], C: [3] };
export const HISTORY = [
  { blockTable: TABLES.A, numComputed: 0, numNew: 20 },
  { blockTable: TABLES.B, numComputed: 0, numNew: 57 },
];
export const STEP = [
  { blockTable: TABLES.A, numComputed: 20, numNew: 13 },
  { blockTable: TABLES.B, numComputed: 57, numNew: 1 },
  { blockTable: TABLES.C, numComputed: 0, numNew: 5 },
];

export interface PagedKvShape {
  kvBits: KvBits;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
}

export interface PagedKvRun {
  cache: KvCache;
  hist: BatchInfo;
  step: BatchInfo;
  /** Raw f32 K/V rows [tokens, numKvHeads, headDim] of the history and the new tokens. */
  kHist: Float32Array;
  vHist: Float32Array;
  kNew: Float32Array;
  vNew: Float32Array;
  q: Float32Array;
  /** Attention output (when run), and layer 1's pools as read back. */
  out?: Float32Array;
  kPool: Uint32Array;
  vPool: Uint32Array;
}

/** Writes history and new tokens into layer 1 of a 2-layer cache (layer 0 gets other
 *  data, so reading the wrong layer shows), then optionally runs attention. */
export async function runPagedKv(
  gpu: GpuDevice,
  s: PagedKvShape,
  opts: { attention?: boolean; batch?: BatchInfoOptions; partitionSize?: number; seed?: number } = {},
): Promise<PagedKvRun> {
  const { numHeads: NH, numKvHeads: NKV, headDim: HD } = s;
  const seed = opts.seed ?? 1;
  const cache = new KvCache(gpu, { numLayers: 2, numKvHeads: NKV, headDim: HD, blockSize: BLOCK_SIZE, numBlocks: NUM_BLOCKS, kvBits: s.kvBits });
  const hist = buildBatchInfo(HISTORY, BLOCK_SIZE);
  const step = buildBatchInfo(STEP, BLOCK_SIZE, opts.batch);
  const row = NKV * HD;
  const kHist = randn(hist.numTokens * row, seed), vHist = randn(hist.numTokens * row, seed + 1);
  const kNew = randn(step.numTokens * row, seed + 2), vNew = randn(step.numTokens * row, seed + 3);
  const q = randn(step.numTokens * NH * HD, seed + 4);
  const f32 = (a: Float32Array, shape: number[]) => createTensor(gpu, shape, 'f32', a);
  const tk = [f32(kHist, [hist.numTokens, NKV, HD]), f32(vHist, [hist.numTokens, NKV, HD])];
  const tn = [f32(kNew, [step.numTokens, NKV, HD]), f32(vNew, [step.numTokens, NKV, HD])];
  const tq = f32(q, [step.numTokens, NH, HD]);
  const tout = createTensor(gpu, [step.numTokens, NH, HD], 'f32');
  const bh = uploadBatch(gpu, hist), bs = uploadBatch(gpu, step);

  const first = new GpuStep(gpu);
  kvWrite(first, cache, 1, tk[0], tk[1], bh);
  kvWrite(first, cache, 0, tk[1], tk[0], bh);
  await first.submit();
  const second = new GpuStep(gpu);
  kvWrite(second, cache, 1, tn[0], tn[1], bs);
  kvWrite(second, cache, 0, tn[1], tn[0], bs);
  if (opts.attention) attention(second, tq, cache, 1, bs, tout, { numHeads: NH, partitionSize: opts.partitionSize });
  await second.submit();

  const out = opts.attention ? new Float32Array(await readTensor(gpu, tout)) : undefined;
  const kPool = new Uint32Array(await readTensor(gpu, cache.k[1]));
  const vPool = new Uint32Array(await readTensor(gpu, cache.v[1]));
  [...tk, ...tn, tq, tout].forEach((t) => t.destroy());
  bh.destroy();
  bs.destroy();
  return { cache, hist, step, kHist, vHist, kNew, vNew, q, out, kPool, vPool };
}

/** A dense f32 cache [numSlots, numKvHeads, headDim] holding the raw (unquantized) rows. */
export function rawCache(r: PagedKvRun, which: 'k' | 'v'): Float32Array {
  const { numSlots, numKvHeads: H, headDim: D } = r.cache.layout;
  const out = new Float32Array(numSlots * H * D);
  const put = (x: Float32Array, slots: Uint32Array) => slots.forEach((slot, t) => out.set(x.subarray(t * H * D, (t + 1) * H * D), slot * H * D));
  put(which === 'k' ? r.kHist : r.vHist, r.hist.slotMapping);
  put(which === 'k' ? r.kNew : r.vNew, r.step.slotMapping);
  return out;
}

/** The pool the CPU reference writes from the same rows (kvWriteRef), u32 [totalWords]. */
export function cpuPool(r: PagedKvRun, which: 'k' | 'v'): Uint32Array {
  const pool = new Uint32Array(r.cache.layout.totalWords);
  kvWriteRef(pool, r.cache.layout, which === 'k' ? r.kHist : r.vHist, r.hist.slotMapping);
  kvWriteRef(pool, r.cache.layout, which === 'k' ? r.kNew : r.vNew, r.step.slotMapping);
  return pool;
}
