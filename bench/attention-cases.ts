// Paged-attention problems for bench/kernels.ts (listed from kernel-cases.ts): decode of
// 8 sequences x 1024 context at kvBits 16/8/4, and a 512-token causal prefill, with a
// 32-head / 8-kv-head x 128 model (Llama-3-8B-like). Decode `bytes` is the KV it must
// read (what bounds it); the cache holds random data written straight into the pools.

import type { GpuDevice } from '../src/gpu/device.ts';
import { attention } from '../src/gpu/kernels/attention.ts';
import { buildBatchInfo, uploadBatch } from '../src/gpu/kv-batch.ts';
import { KvCache, type KvBits } from '../src/gpu/kv-cache.ts';
import { createTensor } from '../src/gpu/tensor.ts';
import { randn, rng } from '../test/helpers/random.ts';
import type { KernelBench } from './kernel-cases.ts';

const NH = 32, NKV = 8, HD = 128, BLOCK = 16;

/** Fills a cache's layer-0 pools with valid random content: small f16 values, or random
 *  codes with scale 0.01. */
function fillCache(gpu: GpuDevice, cache: KvCache): void {
  const { scaleOffset, totalWords, kvBits } = cache.layout;
  const r = rng(3);
  const words = new Uint32Array(totalWords);
  for (let i = 0; i < scaleOffset; i++) {
    words[i] = kvBits === 16 ? (0x2000 | (r() * 0x3ff)) * 0x10001 : (r() * 0xffffffff) >>> 0;
  }
  new Float32Array(words.buffer).fill(0.01, scaleOffset);
  for (const t of [cache.k[0], cache.v[0]]) gpu.device.queue.writeBuffer(t.chunks[0].buffer, 0, words);
}

/** `seqs` sequences each adding `numNew` tokens after `numComputed`, blocks interleaved. */
function attentionBench(kernel: string, seqs: number, numComputed: number, numNew: number, kvBits: KvBits): KernelBench {
  const ctx = numComputed + numNew;
  const perSeq = Math.ceil(ctx / BLOCK);
  const kvBytes = seqs * ctx * NKV * 2 * ((HD * kvBits) / 8 + (kvBits < 16 ? 4 : 0));
  // q·k and p·v over the keys each query sees (causal within the new tokens).
  let pairs = 0;
  for (let j = 0; j < numNew; j++) pairs += numComputed + j + 1;
  return {
    kernel: `${kernel} kv${kvBits}`,
    shape: `${seqs}x(${numComputed}+${numNew}) h=${NH}/${NKV} d=${HD}`,
    bytes: kvBytes + 2 * seqs * numNew * NH * HD * 4,
    flops: 4 * seqs * pairs * NH * HD,
    reps: numNew > 1 ? 1 : 4,
    setup(gpu) {
      const cache = new KvCache(gpu, { numLayers: 1, numKvHeads: NKV, headDim: HD, blockSize: BLOCK, numBlocks: seqs * perSeq, kvBits });
      fillCache(gpu, cache);
      const info = buildBatchInfo(
        Array.from({ length: seqs }, (_, s) => ({ blockTable: Array.from({ length: perSeq }, (_, b) => b * seqs + s), numComputed, numNew })),
        BLOCK,
      );
      const batch = uploadBatch(gpu, info);
      const T = seqs * numNew;
      const q = createTensor(gpu, [T, NH, HD], 'f32', randn(T * NH * HD, 5));
      const out = createTensor(gpu, [T, NH, HD], 'f32');
      return {
        record: (step) => attention(step, q, cache, 0, batch, out, { numHeads: NH }),
        destroy: () => {
          [q, out].forEach((t) => t.destroy());
          batch.destroy();
          cache.destroy();
        },
      };
    },
  };
}

export function attentionBenches(quick: boolean): KernelBench[] {
  const prefill = quick ? 128 : 512;
  return [
    ...([16, 8, 4] as KvBits[]).map((bits) => attentionBench('attention decode', 8, 1023, 1, bits)),
    attentionBench('attention prefill', 1, 0, prefill, 16),
  ];
}
