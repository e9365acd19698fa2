// Whole KV blocks copied between the GPU pools and byte strings (the persisted prefix
// cache). One block's bytes, in this order, for every layer l:
//   K data   words [b*blockSize*numKvHeads*wordsPerHead, +blockSize*numKvHeads*wordsPerHead)
//   K scales words scaleOffset + [b*blockSize*numKvHeads, +blockSize*numKvHeads)  (8/4-bit only)
//   V data, V scales likewise
// (slot = b*blockSize + offset; kv-cache.ts has the pool layout). Runs of consecutive
// block ids move as one copy per range.

import type { GpuDevice } from './device.ts';
import { BufferUsage, MapMode } from './flags.ts';
import type { KvBits, KvCache, KvCacheConfig } from './kv-cache.ts';

export type KvBlockShape = Pick<KvCacheConfig, 'numLayers' | 'numKvHeads' | 'headDim' | 'blockSize'> & { kvBits: KvBits };

/** Bytes of one block across all layers, K and V, scales included. */
export function kvBlockBytes(s: KvBlockShape): number {
  return 2 * s.numLayers * s.blockSize * s.numKvHeads * ((s.headDim * s.kvBits) / 8 + (s.kvBits < 16 ? 4 : 0));
}

/** One contiguous range per block in one pool: where block b's bytes start, and how many. */
interface BlockRange {
  buffer: GPUBuffer;
  start(block: number): number;
  bytes: number;
}

/** The ranges of a block in output order (layer, K then V, data then scales). */
function blockRanges(cache: KvCache): BlockRange[] {
  const { blockSize } = cache.config;
  const { numKvHeads, wordsPerHead, scaleOffset, kvBits } = cache.layout;
  const dataBytes = blockSize * numKvHeads * wordsPerHead * 4;
  const scaleBytes = blockSize * numKvHeads * 4;
  const out: BlockRange[] = [];
  for (let l = 0; l < cache.config.numLayers; l++) {
    for (const pool of [cache.k[l], cache.v[l]]) {
      const buffer = pool.binding().buffer;
      out.push({ buffer, start: (b) => b * dataBytes, bytes: dataBytes });
      if (kvBits < 16) out.push({ buffer, start: (b) => scaleOffset * 4 + b * scaleBytes, bytes: scaleBytes });
    }
  }
  return out;
}

/** [first index, count] of each run of consecutive ids in `ids`. */
function consecutiveRuns(ids: readonly number[]): [number, number][] {
  const runs: [number, number][] = [];
  for (let i = 0; i < ids.length; ) {
    let n = 1;
    while (i + n < ids.length && ids[i + n] === ids[i] + n) n++;
    runs.push([i, n]);
    i += n;
  }
  return runs;
}

function checkIds(cache: KvCache, blockIds: readonly number[]): void {
  for (const b of blockIds) {
    if (!(Number.isInteger(b) && b >= 0 && b < cache.config.numBlocks)) {
      throw new RangeError(`KV blocks: block id ${b} is outside 0..${cache.config.numBlocks - 1}`);
    }
  }
}

/** Reads the given blocks' KV, one byte string per block (layout above). The copies are
 *  encoded and submitted before this returns its promise, so the bytes are the pools'
 *  contents as of the call, whatever is submitted after it. */
export async function readKvBlocks(gpu: GpuDevice, cache: KvCache, blockIds: readonly number[]): Promise<Uint8Array[]> {
  checkIds(cache, blockIds);
  const n = blockIds.length;
  if (n === 0) return [];
  const ranges = blockRanges(cache);
  const runs = consecutiveRuns(blockIds);
  // Staging: one segment of n * range.bytes per range; segments packed into as few
  // buffers as the device's buffer size limit allows (one for any modest cache).
  const limit = gpu.limits.maxBufferSize;
  const segments: { staging: number; offset: number }[] = [];
  const stagingSizes: number[] = [];
  for (const r of ranges) {
    const size = n * r.bytes;
    if (size > limit) throw new RangeError(`KV blocks: ${n} blocks need ${size} bytes of staging per range, over maxBufferSize ${limit}`);
    const last = stagingSizes.length - 1;
    if (last < 0 || stagingSizes[last] + size > limit) stagingSizes.push(0);
    segments.push({ staging: stagingSizes.length - 1, offset: stagingSizes[stagingSizes.length - 1] });
    stagingSizes[stagingSizes.length - 1] += size;
  }
  const staging = stagingSizes.map((size) => gpu.device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST, label: 'kv-blocks-read' }));
  const enc = gpu.device.createCommandEncoder();
  ranges.forEach((r, k) => {
    const seg = segments[k];
    for (const [i, count] of runs) enc.copyBufferToBuffer(r.buffer, r.start(blockIds[i]), staging[seg.staging], seg.offset + i * r.bytes, count * r.bytes);
  });
  gpu.device.queue.submit([enc.finish()]);

  try {
    await Promise.all(staging.map((s) => s.mapAsync(MapMode.READ)));
    const mapped = staging.map((s) => new Uint8Array(s.getMappedRange()));
    const blockBytes = ranges.reduce((a, r) => a + r.bytes, 0);
    return blockIds.map((_, i) => {
      const out = new Uint8Array(blockBytes);
      let at = 0;
      ranges.forEach((r, k) => {
        const seg = segments[k];
        const from = seg.offset + i * r.bytes;
        out.set(mapped[seg.staging].subarray(from, from + r.bytes), at);
        at += r.bytes;
      });
      return out;
    });
  } finally {
    for (const s of staging) s.destroy();
  }
}

/** Writes one byte string per block (layout above) into the pools (queue.writeBuffer:
 *  ordered before anything submitted afterwards). */
export function writeKvBlocks(gpu: GpuDevice, cache: KvCache, blockIds: readonly number[], data: readonly Uint8Array[]): void {
  checkIds(cache, blockIds);
  if (data.length !== blockIds.length) throw new RangeError(`KV blocks: ${blockIds.length} block ids but ${data.length} byte strings`);
  const ranges = blockRanges(cache);
  const blockBytes = ranges.reduce((a, r) => a + r.bytes, 0);
  data.forEach((d, i) => {
    if (d.byteLength !== blockBytes) throw new RangeError(`KV blocks: block ${blockIds[i]} got ${d.byteLength} bytes, expected ${blockBytes}`);
  });
  const queue = gpu.device.queue;
  const runs = consecutiveRuns(blockIds);
  let at = 0;
  for (const r of ranges) {
    for (const [i, count] of runs) {
      let src: Uint8Array;
      if (count === 1) src = data[i].subarray(at, at + r.bytes);
      else {
        src = new Uint8Array(count * r.bytes);
        for (let j = 0; j < count; j++) src.set(data[i + j].subarray(at, at + r.bytes), j * r.bytes);
      }
      queue.writeBuffer(r.buffer, r.start(blockIds[i]), src.buffer, src.byteOffset, src.byteLength);
    }
    at += r.bytes;
  }
}
