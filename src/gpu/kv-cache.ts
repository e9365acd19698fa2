// The paged KV cache on the GPU: per layer, one K pool and one V pool of
// numBlocks * blockSize token slots, each slot holding numKvHeads * headDim elements.
// A physical slot is blockId * blockSize + offset (see kv-batch.ts for the block tables).
//
// Each pool is one u32 buffer (shaders/lib/kv-quant.wgsl):
//   words [0, dataWords):    [slot, kvHead, headDim / elementsPerWord] packed elements
//   words [dataWords, ...):  8/4-bit only: one f32 scale per (slot, kvHead)
// kvBits 16: f16 pairs packed with pack2x16float. Packed u32 rather than array<f16> so the
//   same pool works on devices without shader-f16, at half the bytes of an f32 fallback.
// kvBits 8: int8 x4 per word, scale = absmax / 127; kvBits 4: int4 x8, scale = absmax / 7
//   (symmetric, round to nearest even), quantized by kv-write as tokens arrive.
// Scales sit in the same buffer as the data so attention needs no extra bindings.
// One buffer per layer per K/V: a 28-layer model's cache splits 56 ways, so each must fit
// maxStorageBufferBindingSize on its own (checked at creation; splitting a layer's pool
// across bindings is not done yet).

import type { GpuDevice } from './device.ts';
import { createTensor, type Tensor } from './tensor.ts';

export type KvBits = 16 | 8 | 4;

export interface KvCacheConfig {
  numLayers: number;
  numKvHeads: number;
  headDim: number;
  blockSize: number;
  numBlocks: number;
  kvBits: KvBits;
}

/** Word layout of one pool; what kernels need to index it. */
export interface KvPoolLayout {
  kvBits: KvBits;
  numKvHeads: number;
  headDim: number;
  numSlots: number;
  /** Elements per u32 word (2, 4 or 8). */
  elemsPerWord: number;
  /** Words per (slot, kvHead) row. */
  wordsPerHead: number;
  /** First word of the scales (= data words); 0 scales for 16-bit. */
  scaleOffset: number;
  totalWords: number;
}

export function kvPoolLayout(cfg: Omit<KvCacheConfig, 'numLayers'>): KvPoolLayout {
  const { kvBits, numKvHeads, headDim, blockSize, numBlocks } = cfg;
  if (kvBits !== 16 && kvBits !== 8 && kvBits !== 4) throw new Error(`KV cache: kvBits must be 16, 8 or 4, got ${kvBits}`);
  const elemsPerWord = 32 / kvBits;
  // Attention reads 4 dims at a time; 4-bit packs 8 per word.
  const multiple = Math.max(4, elemsPerWord);
  if (!(headDim > 0 && headDim <= 256 && headDim % multiple === 0)) {
    throw new Error(`KV cache: headDim ${headDim} must be 1..256 and a multiple of ${multiple} for ${kvBits}-bit`);
  }
  for (const [k, v] of Object.entries({ numKvHeads, blockSize, numBlocks })) {
    if (!(Number.isInteger(v) && v >= 1)) throw new Error(`KV cache: ${k} must be a positive integer, got ${v}`);
  }
  const numSlots = numBlocks * blockSize;
  const wordsPerHead = headDim / elemsPerWord;
  const scaleOffset = numSlots * numKvHeads * wordsPerHead;
  const totalWords = scaleOffset + (kvBits < 16 ? numSlots * numKvHeads : 0);
  return { kvBits, numKvHeads, headDim, numSlots, elemsPerWord, wordsPerHead, scaleOffset, totalWords };
}

/** Bytes one token occupies in one layer's K (or V) pool, scales included. */
function bytesPerTokenPerPool(cfg: Pick<KvCacheConfig, 'numKvHeads' | 'headDim' | 'kvBits'>): number {
  return cfg.numKvHeads * ((cfg.headDim * cfg.kvBits) / 8 + (cfg.kvBits < 16 ? 4 : 0));
}

/** The binding limit a single pool must fit in on this device. */
export function kvPoolLimit(gpu: GpuDevice): number {
  return Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
}

/** Most blocks whose pools fit one binding each, and `budgetBytes` in total across layers. */
export function kvBlocksFor(gpu: GpuDevice, cfg: Omit<KvCacheConfig, 'numBlocks'>, budgetBytes = Infinity): number {
  const perToken = bytesPerTokenPerPool(cfg);
  const byBinding = Math.floor(kvPoolLimit(gpu) / (perToken * cfg.blockSize));
  const byBudget = Math.floor(budgetBytes / (2 * cfg.numLayers * perToken * cfg.blockSize));
  return Math.min(byBinding, byBudget);
}

export class KvCache {
  readonly layout: KvPoolLayout;
  /** Per layer: the K and V pools, u32 [totalWords]. */
  readonly k: Tensor[] = [];
  readonly v: Tensor[] = [];

  constructor(readonly gpu: GpuDevice, readonly config: KvCacheConfig) {
    this.layout = kvPoolLayout(config);
    const bytes = this.layout.totalWords * 4;
    const limit = kvPoolLimit(gpu);
    if (bytes > limit) {
      throw new Error(
        `KV cache: one layer's K pool needs ${bytes} bytes for ${config.numBlocks} blocks of ${config.blockSize} tokens, ` +
          `over this device's maxStorageBufferBindingSize of ${limit} bytes; use at most ` +
          `${kvBlocksFor(gpu, config)} blocks (pools split across bindings are not supported yet)`,
      );
    }
    // Fresh buffers are zero-filled: unwritten slots dequantize to 0.
    for (let l = 0; l < config.numLayers; l++) {
      this.k.push(createTensor(this.gpu, [this.layout.totalWords], 'u32', undefined, { label: `kv-k${l}` }));
      this.v.push(createTensor(this.gpu, [this.layout.totalWords], 'u32', undefined, { label: `kv-v${l}` }));
    }
  }

  get kvBits(): KvBits {
    return this.config.kvBits;
  }

  /** Bytes one token takes across all layers, K and V, scales included (KV budgeting). */
  bytesPerToken(): number {
    return KvCache.bytesPerToken(this.config);
  }

  static bytesPerToken(cfg: Omit<KvCacheConfig, 'numBlocks' | 'blockSize'>): number {
    return 2 * cfg.numLayers * bytesPerTokenPerPool(cfg);
  }

  /** Total bytes held on the GPU. */
  get byteLength(): number {
    return 2 * this.config.numLayers * this.layout.totalWords * 4;
  }

  destroy(): void {
    for (const t of [...this.k, ...this.v]) t.destroy();
    this.k.length = 0;
    this.v.length = 0;
  }
}
