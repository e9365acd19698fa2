// Unblocked float formats: F32, F16 (IEEE binary16), BF16 (upper half of an f32).
import { f32ToF16Bits } from '../../cpu/f16.ts';
import type { BlockCodec } from './codec.ts';

let f16Table: Float32Array | undefined;

/** f32 value of every f16 bit pattern (256 KiB, built on first use). */
function f16Values(): Float32Array {
  if (f16Table) return f16Table;
  const t = new Float32Array(65536);
  const u = new Uint32Array(t.buffer);
  for (let h = 0; h < 65536; h++) {
    const sign = (h & 0x8000) << 16;
    const exp = (h >>> 10) & 0x1f;
    const mant = h & 0x3ff;
    if (exp === 0x1f) u[h] = sign | 0x7f800000 | (mant << 13);
    else if (exp !== 0) u[h] = sign | ((exp + 112) << 23) | (mant << 13);
    else t[h] = (sign ? -1 : 1) * mant * 2 ** -24;
  }
  return (f16Table = t);
}

/** The f16 at byte `o` of `b`, as a number. */
export function halfAt(b: Uint8Array, o: number): number {
  return f16Values()[b[o] | (b[o + 1] << 8)];
}

/** Stores `v` rounded to f16 at byte `o` of `b`. */
export function putHalf(b: Uint8Array, o: number, v: number): void {
  const h = f32ToF16Bits(v);
  b[o] = h & 0xff;
  b[o + 1] = h >>> 8;
}

/** u16 view of `src` (copied when its offset is odd). */
function u16View(src: Uint8Array, n: number): Uint16Array {
  const b = src.byteOffset % 2 ? src.slice(0, n * 2) : src;
  return new Uint16Array(b.buffer, b.byteOffset, n);
}

export const f32Codec: BlockCodec = {
  dequantize(src, dst) {
    const b = src.byteOffset % 4 ? src.slice(0, dst.length * 4) : src;
    dst.set(new Float32Array(b.buffer, b.byteOffset, dst.length));
  },
  quantize(src, dst) {
    dst.set(new Uint8Array(src.buffer, src.byteOffset, src.length * 4));
  },
};

export const f16Codec: BlockCodec = {
  dequantize(src, dst) {
    const t = f16Values();
    const h = u16View(src, dst.length);
    for (let i = 0; i < dst.length; i++) dst[i] = t[h[i]];
  },
  quantize(src, dst) {
    for (let i = 0; i < src.length; i++) putHalf(dst, 2 * i, src[i]);
  },
};

/** BF16 bits of an f32 given as its u32 bits: round to nearest even, NaN kept quiet (as ggml). */
export function f32BitsToBf16(u: number): number {
  if ((u & 0x7fffffff) > 0x7f800000) return ((u >>> 16) | 64) & 0xffff;
  return ((u + (0x7fff + ((u >>> 16) & 1))) >>> 16) & 0xffff;
}

export const bf16Codec: BlockCodec = {
  dequantize(src, dst) {
    const h = u16View(src, dst.length);
    const out = new Uint32Array(dst.buffer, dst.byteOffset, dst.length);
    for (let i = 0; i < dst.length; i++) out[i] = h[i] << 16;
  },
  quantize(src, dst) {
    const u = new Uint32Array(src.buffer, src.byteOffset, src.length);
    for (let i = 0; i < src.length; i++) {
      const h = f32BitsToBf16(u[i]);
      dst[2 * i] = h & 0xff;
      dst[2 * i + 1] = h >>> 8;
    }
  },
};
