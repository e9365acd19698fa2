// Paged causal GQA attention over the KV cache. See shaders/attention.wgsl.
// One call records up to three dispatches: split-KV decode over the batch's split tokens
// (+ COMBINE when a token's keys span several partitions) and tiled prefill over its
// tiles. They write disjoint rows of `out`. Which tokens go where is the batch's choice
// (buildBatchInfo's splitMaxNew).

import type { GpuBatch } from '../kv-batch.ts';
import type { KvCache } from '../kv-cache.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';
import { kvDefines } from './kv-write.ts';

export interface AttentionOptions {
  numHeads: number;
  /** Softmax scale; default 1 / sqrt(headDim). */
  scale?: number;
  /** Keys per split-KV workgroup, a multiple of 32 (of 64 when >= 64). Default: sized so
   *  the decode dispatch has about 256 workgroups (one long sequence uses many). */
  partitionSize?: number;
  /** 'f32' (default): softmax and the weighted sum of V in f32. 'llamacpp': in a step of
   *  fewer than LLAMACPP_F16_MAX_TOKENS tokens, attend as ggml-cpu's flash attention does
   *  for such batches over an f16 cache: q rounded to f16, the output accumulated key by
   *  key in an f16 vector (one workgroup per token and head, keys serial: slower, for
   *  agreeing with llama.cpp). Larger steps attend in f32, as llama.cpp's tiled kernel does. */
  rounding?: AttentionRounding;
}

export type AttentionRounding = 'f32' | 'llamacpp';

/** From this many query tokens in a batch, ggml-cpu's flash attention takes its f32 tiled
 *  path (its Q tile); below, the f16-accumulating one. (Its single-query split-KV path for
 *  >= 512 keys accumulates in f16 per thread's chunk of keys; modelled here as one chunk.) */
export const LLAMACPP_F16_MAX_TOKENS = 64;

/** Query heads one decode workgroup handles: all of a kv head's group, in groups of <= 8. */
const MAX_HEADS_PER_WG = 8;
/** Decode workgroups to aim for when splitting keys into partitions. */
const TARGET_DECODE_WORKGROUPS = 256;

const pow2Ceil = (n: number) => 2 ** Math.ceil(Math.log2(Math.max(1, n)));

/**
 * out[t, h, :] = softmax(q[t, h, :] · Kᵀ * scale + causal mask) · V over token t's
 * sequence in cache layer `layer`, kv head h / (numHeads / numKvHeads).
 * q, out: [tokens, numHeads, headDim] f32 in batch token order. kvWrite the step's new
 * K/V first: a token sees its own key.
 */
export function attention(step: GpuStep, q: Tensor, cache: KvCache, layer: number, batch: GpuBatch, out: Tensor, opts: AttentionOptions): void {
  const { numKvHeads: NKV, headDim: HD } = cache.config;
  const NH = opts.numHeads;
  const { info } = batch;
  const T = info.numTokens;
  if (!(NH >= NKV && NH % NKV === 0)) throw new Error(`attention: ${NH} heads is not a multiple of ${NKV} kv heads`);
  for (const [name, t] of [['q', q], ['out', out]] as const) {
    if (t.dtype !== 'f32' || t.numel !== T * NH * HD) throw new Error(`attention: ${name} [${t.shape}] is not [${T}, ${NH}, ${HD}] f32`);
  }
  if (!(layer >= 0 && layer < cache.k.length)) throw new Error(`attention: layer ${layer} of ${cache.k.length}`);
  const o = info.offsets;
  // Params fields up to bt_off (shaders/attention.wgsl); each variant appends its own.
  const base = (numItems: number) =>
    new Params(20)
      .u32(NH).u32(NKV).u32(NH / NKV).u32(numItems).u32(info.blockSize).u32(info.maxBlocksPerSeq)
      .f32(opts.scale ?? 1 / Math.sqrt(HD)).u32(cache.layout.scaleOffset)
      .u32(o.pos).u32(o.seq).u32(o.ctx).u32(o.blockTables);
  const pools = [cache.k[layer].binding(), cache.v[layer].binding()];
  const maxWg = step.gpu.limits.maxComputeWorkgroupsPerDimension;
  const kv = kvDefines(cache);

  if (opts.rounding === 'llamacpp' && T < LLAMACPP_F16_MAX_TOKENS) {
    const { WG } = llamaCppConfig(HD);
    const spec = { shader: 'attention', defines: { ...kv, LLAMACPP: true }, constants: { WG, HD } };
    const bytes = base(T).u32(0).u32(0).u32(0).u32(0).u32(HD).bytes();
    step.dispatch(spec, [q.binding(), ...pools, batch.binding(), out.binding()], bytes, grid(T * NH, maxWg));
    return;
  }

  const items = info.splitTokens.length;
  if (items > 0) {
    const group = NH / NKV;
    const numSub = Math.ceil(group / MAX_HEADS_PER_WG);
    const HG = Math.ceil(group / numSub);
    const d = decodePartitions(info.splitMaxKeys, items * NKV * numSub, opts.partitionSize);
    const split = d.parts > 1;
    const spec = {
      shader: 'attention',
      defines: { ...kv, HG, DPQ: Math.ceil(HD / 4 / d.WG), SPLIT: split },
      constants: { WG: d.WG, HD },
    };
    const bytes = base(items).u32(o.split).u32(d.parts).u32(d.size).u32(numSub).u32(HD).bytes();
    const partials = split ? batch.scratch(items * NH * d.parts * (HD + 2) * 4) : out.binding();
    step.dispatch(spec, [q.binding(), ...pools, batch.binding(), partials], bytes, grid(items * NKV * numSub * d.parts, maxWg));
    if (split) {
      const cspec = { shader: 'attention', defines: { COMBINE: true }, constants: { WG: Math.min(64, pow2Ceil(HD)), HD } };
      step.dispatch(cspec, [partials, batch.binding(), out.binding()], bytes, grid(items * NH, maxWg));
    }
  }

  if (info.numTiles > 0) {
    const maxRows = Math.max(...Array.from({ length: info.numTiles }, (_, i) => info.tiles[3 * i + 2]));
    const c = prefillConfig(HD, Math.min(16, pow2Ceil(maxRows)), step.gpu.limits.maxComputeWorkgroupStorageSize);
    const numSub = Math.ceil(info.qTile / c.R);
    const spec = {
      shader: 'attention',
      defines: { ...kv, PREFILL: true, DPQ: Math.ceil(HD / 4 / (c.WG / c.R)) },
      constants: { WG: c.WG, HD, R: c.R, BK: c.BK },
    };
    const bytes = base(info.numTiles).u32(o.tiles).u32(0).u32(0).u32(numSub).u32(HD).bytes();
    step.dispatch(spec, [q.binding(), ...pools, batch.binding(), out.binding()], bytes, grid(info.numTiles * NH * numSub, maxWg));
  }
}

/** The LLAMACPP variant's workgroup: one invocation per quad of head dims, WG keys per tile. */
export function llamaCppConfig(HD: number): { WG: number } {
  const WG = 64;
  if (HD / 4 > WG) throw new Error(`attention: head_dim ${HD} is over ${4 * WG}, the most the llamacpp rounding serves`);
  return { WG };
}

/** Split-KV tiling: WG keys per tile, `size` keys per partition, `parts` partitions. */
export function decodePartitions(maxKeys: number, baseWorkgroups: number, partitionSize?: number): { WG: number; size: number; parts: number } {
  if (partitionSize !== undefined) {
    const WG = partitionSize >= 64 ? 64 : 32;
    if (partitionSize % WG !== 0) throw new Error(`attention: partitionSize ${partitionSize} must be a multiple of ${WG}`);
    return { WG, size: partitionSize, parts: Math.max(1, Math.ceil(maxKeys / partitionSize)) };
  }
  const WG = 64;
  const want = Math.max(1, Math.ceil(TARGET_DECODE_WORKGROUPS / baseWorkgroups));
  const size = WG * Math.max(1, Math.ceil(maxKeys / want / WG));
  return { WG, size, parts: Math.max(1, Math.ceil(maxKeys / size)) };
}

/**
 * Prefill tiling: R query rows and BK keys per tile, WG = R * TPR invocations with TPR
 * per row (so each owns <= 4 quads = 16 head dims), the largest that fits workgroup
 * memory: q rows, one K/V tile, scores, per-key slots, per-row key counts (4 bytes each).
 */
export function prefillConfig(HD: number, maxR: number, sharedLimit: number): { R: number; BK: number; WG: number } {
  const options: [number, number][] = [[16, 32], [16, 16], [16, 8], [8, 16], [8, 8], [8, 4], [4, 4], [2, 4], [1, 4]];
  for (const [R0, BK] of options) {
    const R = Math.min(R0, maxR);
    const bytes = 4 * (R * HD + BK * HD + R * BK + BK + R);
    if (bytes > sharedLimit) continue;
    const tpr = Math.max(4, pow2Ceil(Math.ceil(HD / 16)), pow2Ceil(Math.ceil(BK / R)));
    return { R, BK, WG: R * tpr };
  }
  throw new Error(`attention: head_dim ${HD} does not fit ${sharedLimit} bytes of workgroup memory`);
}
