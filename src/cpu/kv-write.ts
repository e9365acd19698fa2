// CPU reference for kernels/kv-write.ts and the KV pool format (src/gpu/kv-cache.ts):
// quantize rows the way the shader does (f32 arithmetic, round half to even), and
// dequantize a pool read back from the GPU into plain f32 for the attention reference.

import type { KvPoolLayout } from '../gpu/kv-cache.ts';
import { f16BitsToF32, f32ToF16Bits } from './f16.ts';

const fr = Math.fround;

/** WGSL round(): nearest integer, ties to even. */
function roundHalfEven(x: number): number {
  const r = Math.round(x);
  return Math.abs(x % 1) === 0.5 && r % 2 !== 0 ? r - 1 : r;
}

/** One (token, kv head) row of headDim f32 -> its packed words and scale (0 for 16-bit). */
export function kvQuantizeRow(x: ArrayLike<number>, bits: 16 | 8 | 4): { words: Uint32Array; scale: number } {
  const epw = 32 / bits;
  const words = new Uint32Array(x.length / epw);
  if (bits === 16) {
    for (let w = 0; w < words.length; w++) words[w] = (f32ToF16Bits(x[2 * w]) | (f32ToF16Bits(x[2 * w + 1]) << 16)) >>> 0;
    return { words, scale: 0 };
  }
  const qmax = (1 << (bits - 1)) - 1;
  let amax = 0;
  for (let i = 0; i < x.length; i++) amax = Math.max(amax, Math.abs(x[i]));
  const scale = fr(amax / qmax);
  const inv = amax > 0 ? fr(1 / scale) : 0;
  const mask = (1 << bits) - 1;
  for (let w = 0; w < words.length; w++) {
    let word = 0;
    for (let e = 0; e < epw; e++) {
      const q = Math.min(qmax, Math.max(-qmax, roundHalfEven(fr(fr(x[w * epw + e]) * inv))));
      word |= (q & mask) << (e * bits);
    }
    words[w] = word >>> 0;
  }
  return { words, scale };
}

/** Element values of one packed row (codes times scale), as the attention shader sees them. */
export function kvDequantizeRow(words: ArrayLike<number>, scale: number, bits: 16 | 8 | 4, out: Float32Array, at = 0): void {
  const epw = 32 / bits;
  for (let w = 0; w < words.length; w++) {
    for (let e = 0; e < epw; e++) {
      let v: number;
      if (bits === 16) v = f16BitsToF32((words[w] >>> (16 * e)) & 0xffff);
      else v = fr(((words[w] << (32 - bits * (e + 1))) >> (32 - bits)) * scale);
      out[at + w * epw + e] = v;
    }
  }
}

/**
 * Writes rows x: [tokens, numKvHeads, headDim] into `pool` (u32 [layout.totalWords]) at
 * `slots` (0xffffffff skips a token), as kv-write does.
 */
export function kvWriteRef(pool: Uint32Array, layout: KvPoolLayout, x: Float32Array, slots: ArrayLike<number>): void {
  const { numKvHeads: H, headDim: D, wordsPerHead: wph, scaleOffset, kvBits } = layout;
  const scales = new Float32Array(pool.buffer, pool.byteOffset, pool.length);
  for (let t = 0; t < slots.length; t++) {
    if (slots[t] === 0xffffffff) continue;
    for (let h = 0; h < H; h++) {
      const { words, scale } = kvQuantizeRow(x.subarray((t * H + h) * D, (t * H + h + 1) * D), kvBits);
      pool.set(words, (slots[t] * H + h) * wph);
      if (kvBits < 16) scales[scaleOffset + slots[t] * H + h] = scale;
    }
  }
}

/** A whole pool as f32 [numSlots, numKvHeads, headDim]. */
export function kvDequantizePool(pool: Uint32Array, layout: KvPoolLayout): Float32Array {
  const { numSlots, numKvHeads: H, headDim: D, wordsPerHead: wph, scaleOffset, kvBits } = layout;
  const scales = new Float32Array(pool.buffer, pool.byteOffset, pool.length);
  const out = new Float32Array(numSlots * H * D);
  for (let r = 0; r < numSlots * H; r++) {
    const scale = kvBits < 16 ? scales[scaleOffset + r] : 0;
    kvDequantizeRow(pool.subarray(r * wph, (r + 1) * wph), scale, kvBits, out, r * D);
  }
  return out;
}
