// The per-step batch description that kv-write and attention read: which sequence each
// new token belongs to, its position, where its K/V go in the paged cache, and each
// sequence's block table. Built on the CPU as plain u32 arrays (buildBatchInfo, no GPU),
// packed into one small buffer per step (uploadBatch).
//
// Tokens are laid out sequence by sequence: sequence s's numNew tokens are rows
// seqQueryStart[s] .. + numNew of q/k/v/out, at positions numComputed .. + numNew.
// Attention work is split two ways: tokens of sequences with numNew <= splitMaxNew
// (decode) go to the split-KV kernel, listed in splitTokens; the other sequences'
// tokens (prefill chunks) go to the tiled causal kernel in tiles of qTile tokens.

import type { GpuDevice } from './device.ts';
import { BufferUsage } from './flags.ts';
import { alignUp, createTensor, type Tensor } from './tensor.ts';

export interface SeqBatchEntry {
  /** Physical block ids of the sequence, in logical order; must cover numComputed + numNew. */
  blockTable: readonly number[];
  /** Tokens already in the cache (positions 0 .. numComputed - 1). */
  numComputed: number;
  /** Tokens this step adds (and queries for). */
  numNew: number;
}

export interface BatchInfoOptions {
  /** Columns of the block table (default: the most any sequence needs). Fixing it keeps
   *  buffer sizes steady across steps. */
  maxBlocksPerSeq?: number;
  /** Sequences with at most this many new tokens use the split-KV kernel (default 1:
   *  decode tokens). 0 sends everything to the tiled kernel, Infinity to split-KV. */
  splitMaxNew?: number;
  /** Query tokens per prefill tile (default 16; the kernel may split it further). */
  qTile?: number;
}

/** Word offsets of each array inside BatchInfo.words. */
export interface BatchOffsets {
  pos: number;
  seq: number;
  slot: number;
  ctx: number;
  blockTables: number;
  split: number;
  tiles: number;
}

export interface BatchInfo {
  numTokens: number;
  numSeqs: number;
  blockSize: number;
  maxBlocksPerSeq: number;
  qTile: number;
  /** [T] position of each new token; first in `words`, so RoPE can bind the prefix. */
  tokenPos: Uint32Array;
  /** [T] sequence index of each new token. */
  tokenSeq: Uint32Array;
  /** [T] physical slot (blockId * blockSize + offset) the token's K/V are written to. */
  slotMapping: Uint32Array;
  /** [S] keys in the cache after this step (numComputed + numNew). */
  seqContextLen: Uint32Array;
  /** [S] first token row of each sequence (host-side only, not uploaded). */
  seqQueryStart: Uint32Array;
  /** [S, maxBlocksPerSeq] block ids, zero-padded. */
  blockTables: Uint32Array;
  /** Token rows handled by the split-KV (decode) kernel. */
  splitTokens: Uint32Array;
  /** Most keys any split token attends to (sizes the partitions). */
  splitMaxKeys: number;
  /** [numTiles, 3]: sequence, first token row, token count (<= qTile). */
  tiles: Uint32Array;
  numTiles: number;
  /** Everything above except seqQueryStart, concatenated at `offsets`. */
  words: Uint32Array;
  offsets: BatchOffsets;
}

export function buildBatchInfo(seqs: readonly SeqBatchEntry[], blockSize: number, opts: BatchInfoOptions = {}): BatchInfo {
  const { splitMaxNew = 1, qTile = 16 } = opts;
  if (!(blockSize >= 1 && Number.isInteger(blockSize))) throw new Error(`batch: block size ${blockSize}`);
  if (!(qTile >= 1 && Number.isInteger(qTile))) throw new Error(`batch: qTile ${qTile}`);
  const S = seqs.length;
  const needBlocks = seqs.map((s, i) => {
    if (!(Number.isInteger(s.numComputed) && s.numComputed >= 0 && Number.isInteger(s.numNew) && s.numNew >= 0)) {
      throw new Error(`batch: sequence ${i} has numComputed ${s.numComputed}, numNew ${s.numNew}`);
    }
    const need = Math.ceil((s.numComputed + s.numNew) / blockSize);
    if (s.blockTable.length < need) {
      throw new Error(`batch: sequence ${i} needs ${need} blocks for ${s.numComputed + s.numNew} tokens, has ${s.blockTable.length}`);
    }
    return need;
  });
  const M = opts.maxBlocksPerSeq ?? Math.max(1, ...needBlocks);
  const T = seqs.reduce((n, s) => n + s.numNew, 0);
  const tokenPos = new Uint32Array(T), tokenSeq = new Uint32Array(T), slotMapping = new Uint32Array(T);
  const seqContextLen = new Uint32Array(S), seqQueryStart = new Uint32Array(S), blockTables = new Uint32Array(S * M);
  const split: number[] = [], tiles: number[] = [];
  let splitMaxKeys = 0;
  let t = 0;
  seqs.forEach((s, i) => {
    if (needBlocks[i] > M) throw new Error(`batch: sequence ${i} needs ${needBlocks[i]} blocks, maxBlocksPerSeq is ${M}`);
    for (let b = 0; b < needBlocks[i]; b++) {
      const id = s.blockTable[b];
      if (!(Number.isInteger(id) && id >= 0 && (id + 1) * blockSize <= 0xffffffff)) throw new Error(`batch: sequence ${i} block id ${id}`);
      blockTables[i * M + b] = id;
    }
    seqContextLen[i] = s.numComputed + s.numNew;
    seqQueryStart[i] = t;
    const toSplit = s.numNew <= splitMaxNew;
    for (let j = 0; j < s.numNew; j++) {
      const pos = s.numComputed + j;
      tokenPos[t + j] = pos;
      tokenSeq[t + j] = i;
      slotMapping[t + j] = s.blockTable[Math.floor(pos / blockSize)] * blockSize + (pos % blockSize);
      if (toSplit) split.push(t + j);
    }
    if (toSplit && s.numNew > 0) splitMaxKeys = Math.max(splitMaxKeys, s.numComputed + s.numNew);
    if (!toSplit) for (let j = 0; j < s.numNew; j += qTile) tiles.push(i, t + j, Math.min(qTile, s.numNew - j));
    t += s.numNew;
  });
  const parts = { tokenPos, tokenSeq, slotMapping, seqContextLen, blockTables, splitTokens: Uint32Array.from(split), tiles: Uint32Array.from(tiles) };
  const order = [parts.tokenPos, parts.tokenSeq, parts.slotMapping, parts.seqContextLen, parts.blockTables, parts.splitTokens, parts.tiles];
  const starts: number[] = [];
  let n = 0;
  for (const a of order) {
    starts.push(n);
    n += a.length;
  }
  const words = new Uint32Array(Math.max(n, 1));
  order.forEach((a, k) => words.set(a, starts[k]));
  const [pos, seq, slot, ctx, bt, sp, tl] = starts;
  return {
    numTokens: T, numSeqs: S, blockSize, maxBlocksPerSeq: M, qTile,
    ...parts, seqQueryStart, splitMaxKeys, numTiles: tiles.length / 3, words,
    offsets: { pos, seq, slot, ctx, blockTables: bt, split: sp, tiles: tl },
  };
}

/**
 * A batch description on the GPU plus the per-step scratch its attention calls need
 * (split-KV partials). Lives for one step: destroy() after the step's submit.
 */
export class GpuBatch {
  private readonly scratchBuffers: GPUBuffer[] = [];

  constructor(readonly gpu: GpuDevice, readonly info: BatchInfo, readonly tensor: Tensor) {}

  /** The packed words; positions are its first numTokens words. */
  binding(): GPUBufferBinding {
    return this.tensor.binding();
  }

  /** A storage buffer of at least `bytes` for this step; reused by every layer. */
  scratch(bytes: number): GPUBufferBinding {
    const size = alignUp(Math.max(bytes, 4), 4);
    let buf = this.scratchBuffers[this.scratchBuffers.length - 1];
    // Earlier, smaller buffers stay alive: dispatches already recorded may bind them.
    if (!buf || buf.size < size) {
      buf = this.gpu.pool.acquire(size, BufferUsage.STORAGE | BufferUsage.COPY_SRC, 'attention-scratch');
      this.scratchBuffers.push(buf);
    }
    return { buffer: buf, offset: 0, size };
  }

  destroy(): void {
    this.tensor.destroy();
    for (const b of this.scratchBuffers.splice(0)) this.gpu.pool.release(b);
  }
}

/** Uploads `info` (one writeBuffer) for this step. */
export function uploadBatch(gpu: GpuDevice, info: BatchInfo): GpuBatch {
  const t = createTensor(gpu, [info.words.length], 'u32', info.words, { pooled: true, label: 'kv-batch' });
  return new GpuBatch(gpu, info, t);
}
