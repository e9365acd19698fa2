// Writes (and quantizes) a step's new K/V rows into the paged cache. See shaders/kv-write.wgsl.

import type { GpuBatch } from '../kv-batch.ts';
import type { KvCache } from '../kv-cache.ts';
import { grid, Params, type GpuStep } from '../step.ts';
import type { Tensor } from '../tensor.ts';

/** Shader defines selecting the cache's element format (lib/kv-quant.wgsl). */
export function kvDefines(cache: KvCache): Record<string, number | boolean> {
  return { KV_BITS: cache.kvBits, KV_QUANT: cache.kvBits < 16 };
}

/**
 * k, v: [tokens, numKvHeads, headDim] f32 (K after RoPE), rows in batch token order;
 * written to cache layer `layer` at batch.info.slotMapping.
 */
export function kvWrite(step: GpuStep, cache: KvCache, layer: number, k: Tensor, v: Tensor, batch: GpuBatch): void {
  const { numKvHeads, headDim } = cache.config;
  const T = batch.info.numTokens;
  for (const [name, t] of [['k', k], ['v', v]] as const) {
    if (t.dtype !== 'f32' || t.numel !== T * numKvHeads * headDim) {
      throw new Error(`kvWrite: ${name} [${t.shape}] ${t.dtype} is not [${T}, ${numKvHeads}, ${headDim}] f32`);
    }
  }
  if (!(layer >= 0 && layer < cache.k.length)) throw new Error(`kvWrite: layer ${layer} of ${cache.k.length}`);
  if (T === 0) return;
  // Invocations cover a row of head_dim elements for the absmax; 32..128.
  const WG = Math.min(128, Math.max(32, 2 ** Math.ceil(Math.log2(headDim))));
  const spec = { shader: 'kv-write', defines: kvDefines(cache), constants: { WG, HD: headDim } };
  const params = new Params().u32(T).u32(numKvHeads).u32(batch.info.offsets.slot).u32(cache.layout.scaleOffset).bytes();
  const bindings = [k.binding(), v.binding(), cache.k[layer].binding(), cache.v[layer].binding(), batch.binding()];
  step.dispatch(spec, bindings, params, grid(T * numKvHeads * 2, step.gpu.limits.maxComputeWorkgroupsPerDimension));
}
