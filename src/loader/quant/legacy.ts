// The 32-element legacy formats. Within a block, element j (j < 16) sits in the low
// nibble of qs[j] and element j + 16 in its high nibble; Q5 formats keep each element's
// fifth bit as bit j of a little-endian u32 qh.
//   Q4_0 (18 B): f16 d, u8 qs[16]           x = (q - 8) * d
//   Q4_1 (20 B): f16 d, f16 m, u8 qs[16]    x = q * d + m
//   Q5_0 (22 B): f16 d, u8 qh[4], qs[16]    x = (q - 16) * d
//   Q5_1 (24 B): f16 d, f16 m, qh[4], qs[16] x = q * d + m
//   Q8_0 (34 B): f16 d, i8 qs[32]           x = q * d
// Quantizers follow ggml's reference (quantize_row_*_ref) step for step in f32.
import { f32, readI8, roundf, type BlockCodec } from './codec.ts';
import { halfAt, putHalf } from './float.ts';

const QK = 32;

/** The element with the largest magnitude (first one on ties), signed. */
function signedAbsMax(x: Float32Array, o: number): number {
  let amax = 0, max = 0;
  for (let j = 0; j < QK; j++) {
    const v = x[o + j];
    if (amax < Math.abs(v)) { amax = Math.abs(v); max = v; }
  }
  return max;
}

function minMax(x: Float32Array, o: number): [number, number] {
  let min = Infinity, max = -Infinity;
  for (let j = 0; j < QK; j++) {
    const v = x[o + j];
    if (v < min) min = v;
    if (v > max) max = v;
  }
  return [min, max];
}

/** 4/5-bit blocks of `size` bytes: [d, m if hasMin, qh if hasQh, qs]; x = (q - bias) * d + m. */
function dequant4or5(src: Uint8Array, dst: Float32Array, size: number, hasMin: boolean, hasQh: boolean, bias: number) {
  for (let b = 0; b * QK < dst.length; b++) {
    const o = b * size, y = b * QK;
    const d = halfAt(src, o);
    const m = hasMin ? halfAt(src, o + 2) : 0;
    const qhAt = o + (hasMin ? 4 : 2);
    const qh = hasQh ? (src[qhAt] | (src[qhAt + 1] << 8) | (src[qhAt + 2] << 16) | (src[qhAt + 3] << 24)) : 0;
    const qs = qhAt + (hasQh ? 4 : 0);
    for (let j = 0; j < 16; j++) {
      const lo = (src[qs + j] & 0xf) | (((qh >>> j) & 1) << 4);
      const hi = (src[qs + j] >> 4) | (((qh >>> (j + 16)) & 1) << 4);
      dst[y + j] = (lo - bias) * d + m;
      dst[y + j + 16] = (hi - bias) * d + m;
    }
  }
}

/** Packs 32 quants (0..31) into qs nibbles and, for 5 bits, the qh word at `qhAt`. */
function pack(dst: Uint8Array, qhAt: number, qs: number, L: Uint8Array, fiveBit: boolean) {
  let qh = 0;
  for (let j = 0; j < 16; j++) {
    dst[qs + j] = (L[j] & 0xf) | ((L[j + 16] & 0xf) << 4);
    qh |= ((L[j] >> 4) << j) | ((L[j + 16] >> 4) << (j + 16));
  }
  if (fiveBit) for (let k = 0; k < 4; k++) dst[qhAt + k] = (qh >>> (8 * k)) & 0xff;
}

/** Symmetric 4/5-bit quantizer (Q4_0: nmax 8, Q5_0: nmax 16). */
function quantSym(src: Float32Array, dst: Uint8Array, size: number, nmax: number) {
  const L = new Uint8Array(QK);
  for (let b = 0; b * QK < src.length; b++) {
    const x = b * QK, o = b * size;
    const d = f32(signedAbsMax(src, x) / -nmax);
    const id = d ? f32(1 / d) : 0;
    putHalf(dst, o, d);
    for (let j = 0; j < QK; j++) L[j] = Math.min(2 * nmax - 1, Math.trunc(f32(f32(src[x + j] * id) + nmax + 0.5)));
    pack(dst, o + 2, o + 2 + (nmax === 16 ? 4 : 0), L, nmax === 16);
  }
}

/** Asymmetric 4/5-bit quantizer (Q4_1: 15 levels, Q5_1: 31). The reference does not
 *  clamp Q5_1 quants; clamping only differs where f32 rounding would give 32, which the
 *  reference would wrap to 0. */
function quantAsym(src: Float32Array, dst: Uint8Array, size: number, levels: number) {
  const L = new Uint8Array(QK);
  for (let b = 0; b * QK < src.length; b++) {
    const x = b * QK, o = b * size;
    const [min, max] = minMax(src, x);
    const d = f32(f32(max - min) / levels);
    const id = d ? f32(1 / d) : 0;
    putHalf(dst, o, d);
    putHalf(dst, o + 2, min);
    for (let j = 0; j < QK; j++) L[j] = Math.min(levels, Math.trunc(f32(f32(f32(src[x + j] - min) * id) + 0.5)));
    pack(dst, o + 4, o + 4 + (levels === 31 ? 4 : 0), L, levels === 31);
  }
}

export const q4_0: BlockCodec = {
  dequantize: (s, d) => dequant4or5(s, d, 18, false, false, 8),
  quantize: (s, d) => quantSym(s, d, 18, 8),
};
export const q4_1: BlockCodec = {
  dequantize: (s, d) => dequant4or5(s, d, 20, true, false, 0),
  quantize: (s, d) => quantAsym(s, d, 20, 15),
};
export const q5_0: BlockCodec = {
  dequantize: (s, d) => dequant4or5(s, d, 22, false, true, 16),
  quantize: (s, d) => quantSym(s, d, 22, 16),
};
export const q5_1: BlockCodec = {
  dequantize: (s, d) => dequant4or5(s, d, 24, true, true, 0),
  quantize: (s, d) => quantAsym(s, d, 24, 31),
};

export const q8_0: BlockCodec = {
  dequantize(src, dst) {
    for (let b = 0; b * QK < dst.length; b++) {
      const o = b * 34, d = halfAt(src, o);
      for (let j = 0; j < QK; j++) dst[b * QK + j] = readI8(src, o + 2 + j) * d;
    }
  },
  quantize(src, dst) {
    for (let b = 0; b * QK < src.length; b++) {
      const x = b * QK, o = b * 34;
      let amax = 0;
      for (let j = 0; j < QK; j++) amax = Math.max(amax, Math.abs(src[x + j]));
      const d = f32(amax / 127);
      const id = d ? f32(1 / d) : 0;
      putHalf(dst, o, d);
      for (let j = 0; j < QK; j++) dst[o + 2 + j] = roundf(f32(src[x + j] * id)) & 0xff;
    }
  },
};
