// K-quants: 256-element super-blocks split into sub-blocks whose scales are themselves
// quantized against one f16 super-scale.
//   Q4_K (144 B): f16 d, f16 dmin, u8 scales[12], u8 qs[128]
//   Q5_K (176 B): f16 d, f16 dmin, u8 scales[12], u8 qh[32], u8 qs[128]
//     8 sub-blocks of 32; sub-block j has 6-bit scale sc_j and min m_j packed in
//     scales[12] (see scaleMin), x = d*sc_j*q - dmin*m_j. Each 64 elements share 32 qs
//     bytes: the first 32 in the low nibbles, the next 32 in the high nibbles. Q5_K's
//     fifth bit for sub-block j is bit j of qh[l].
//   Q6_K (210 B): u8 ql[128], u8 qh[64], i8 scales[16], f16 d
//     16 sub-blocks of 16, x = d*scales[k]*(q - 32). Each 128 elements use 64 ql and
//     32 qh bytes: elements l, l+32, l+64, l+96 take ql[l] low, ql[l+32] low, ql[l] high,
//     ql[l+32] high nibble and bits 0-1, 2-3, 4-5, 6-7 of qh[l].
import { f32, nearestInt, readI8, type BlockCodec } from './codec.ts';
import { halfAt, putHalf } from './float.ts';
import { makeQkx2Quants, makeQxQuants } from './k-quant-search.ts';

const QK_K = 256;

/** 6-bit scale and min of sub-block j (0..7) from the 12 scale bytes at `o`. */
export function scaleMin(b: Uint8Array, o: number, j: number): [number, number] {
  if (j < 4) return [b[o + j] & 63, b[o + j + 4] & 63];
  return [(b[o + j + 4] & 0xf) | ((b[o + j - 4] >> 6) << 4), (b[o + j + 4] >> 4) | ((b[o + j] >> 6) << 4)];
}

function packScaleMin(b: Uint8Array, o: number, j: number, ls: number, lm: number) {
  if (j < 4) {
    b[o + j] = ls;
    b[o + j + 4] = lm;
  } else {
    b[o + j + 4] = (ls & 0xf) | ((lm & 0xf) << 4);
    b[o + j - 4] |= (ls >> 4) << 6;
    b[o + j] |= (lm >> 4) << 6;
  }
}

/** Q4_K / Q5_K: `bits` 4 or 5. */
function dequantQ45K(src: Uint8Array, dst: Float32Array, bits: 4 | 5) {
  const size = bits === 4 ? 144 : 176;
  for (let b = 0; b * QK_K < dst.length; b++) {
    const o = b * size, y0 = b * QK_K;
    const d = halfAt(src, o), dmin = halfAt(src, o + 2);
    const qh = o + 16, qs = o + (bits === 4 ? 16 : 48);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMin(src, o + 4, j);
      const d1 = f32(d * sc), m1 = f32(dmin * m);
      const q = qs + 32 * (j >> 1), shift = 4 * (j & 1);
      for (let l = 0; l < 32; l++) {
        const hi = bits === 5 ? ((src[qh + l] >> j) & 1) << 4 : 0;
        dst[y0 + 32 * j + l] = f32(d1 * (((src[q + l] >> shift) & 0xf) | hi)) - m1;
      }
    }
  }
}

/** ggml's quantize_row_q4_K_ref / q5_K_ref. */
function quantQ45K(src: Float32Array, dst: Uint8Array, bits: 4 | 5) {
  const size = bits === 4 ? 144 : 176, nmax = bits === 4 ? 15 : 31;
  const L = new Uint8Array(QK_K), w = new Float32Array(32);
  const scales = new Float32Array(8), mins = new Float32Array(8);
  for (let b = 0; b * QK_K < src.length; b++) {
    const x = b * QK_K, o = b * size;
    dst.fill(0, o, o + size);
    let maxScale = 0, maxMin = 0;
    for (let j = 0; j < 8; j++) {
      const xo = x + 32 * j;
      let sumX2 = 0;
      for (let l = 0; l < 32; l++) sumX2 = f32(sumX2 + f32(src[xo + l] * src[xo + l]));
      const av = f32(Math.sqrt(f32(sumX2 / 32)));
      for (let l = 0; l < 32; l++) w[l] = av + Math.abs(src[xo + l]);
      [scales[j], mins[j]] = bits === 4
        ? makeQkx2Quants(32, 15, src, xo, w, L, 32 * j, -1, 0.1, 20)
        : makeQkx2Quants(32, 31, src, xo, w, L, 32 * j, -0.5, 0.1, 15);
      if (scales[j] > maxScale) maxScale = scales[j];
      if (mins[j] > maxMin) maxMin = mins[j];
    }
    const invScale = maxScale > 0 ? f32(63 / maxScale) : 0;
    const invMin = maxMin > 0 ? f32(63 / maxMin) : 0;
    for (let j = 0; j < 8; j++) {
      const ls = Math.min(63, nearestInt(f32(invScale * scales[j])) & 0xff);
      const lm = Math.min(63, nearestInt(f32(invMin * mins[j])) & 0xff);
      packScaleMin(dst, o + 4, j, ls, lm);
    }
    putHalf(dst, o, f32(maxScale / 63));
    putHalf(dst, o + 2, f32(maxMin / 63));
    const dAll = halfAt(dst, o), dminAll = halfAt(dst, o + 2);
    for (let j = 0; j < 8; j++) {
      const [sc, m] = scaleMin(dst, o + 4, j);
      const d = f32(dAll * sc);
      if (!d) continue;
      const dm = f32(dminAll * m);
      for (let i = 0; i < 32; i++) {
        L[32 * j + i] = Math.max(0, Math.min(nmax, nearestInt(f32(f32(src[x + 32 * j + i] + dm) / d))));
      }
    }
    const qh = o + 16, qs = o + (bits === 4 ? 16 : 48);
    for (let j = 0; j < 8; j += 2) {
      for (let l = 0; l < 32; l++) {
        const a = L[32 * j + l], c = L[32 * j + 32 + l];
        dst[qs + 16 * j + l] = (a & 0xf) | ((c & 0xf) << 4);
        if (bits === 5) dst[qh + l] |= ((a >> 4) << j) | ((c >> 4) << (j + 1));
      }
    }
  }
}

export const q4_K: BlockCodec = {
  dequantize: (s, d) => dequantQ45K(s, d, 4),
  quantize: (s, d) => quantQ45K(s, d, 4),
};
export const q5_K: BlockCodec = {
  dequantize: (s, d) => dequantQ45K(s, d, 5),
  quantize: (s, d) => quantQ45K(s, d, 5),
};

export const q6_K: BlockCodec = {
  dequantize(src, dst) {
    for (let b = 0; b * QK_K < dst.length; b++) {
      const o = b * 210, d = halfAt(src, o + 208);
      for (let half = 0; half < 2; half++) {
        const ql = o + 64 * half, qh = o + 128 + 32 * half, sc = o + 192 + 8 * half;
        const y = b * QK_K + 128 * half;
        for (let l = 0; l < 32; l++) {
          const is = l >> 4, h = src[qh + l];
          const q1 = ((src[ql + l] & 0xf) | ((h & 3) << 4)) - 32;
          const q2 = ((src[ql + l + 32] & 0xf) | (((h >> 2) & 3) << 4)) - 32;
          const q3 = ((src[ql + l] >> 4) | (((h >> 4) & 3) << 4)) - 32;
          const q4 = ((src[ql + l + 32] >> 4) | (((h >> 6) & 3) << 4)) - 32;
          dst[y + l] = f32(d * readI8(src, sc + is)) * q1;
          dst[y + l + 32] = f32(d * readI8(src, sc + is + 2)) * q2;
          dst[y + l + 64] = f32(d * readI8(src, sc + is + 4)) * q3;
          dst[y + l + 96] = f32(d * readI8(src, sc + is + 6)) * q4;
        }
      }
    }
  },
  quantize(src, dst) {
    const L = new Uint8Array(QK_K), scales = new Float32Array(16);
    for (let b = 0; b * QK_K < src.length; b++) {
      const x = b * QK_K, o = b * 210;
      dst.fill(0, o, o + 210);
      let maxScale = 0, maxAbs = 0;
      for (let ib = 0; ib < 16; ib++) {
        scales[ib] = makeQxQuants(16, 32, src, x + 16 * ib, L, 16 * ib);
        if (Math.abs(scales[ib]) > maxAbs) { maxAbs = Math.abs(scales[ib]); maxScale = scales[ib]; }
      }
      if (maxAbs < f32(1e-15)) continue; // all-zero block: every byte 0
      const iscale = f32(-128 / maxScale);
      putHalf(dst, o + 208, f32(1 / iscale));
      for (let ib = 0; ib < 16; ib++) dst[o + 192 + ib] = Math.min(127, nearestInt(f32(iscale * scales[ib]))) & 0xff;
      const dAll = halfAt(dst, o + 208);
      for (let j = 0; j < 16; j++) {
        const d = f32(dAll * readI8(dst, o + 192 + j));
        if (!d) continue;
        for (let i = 0; i < 16; i++) {
          L[16 * j + i] = Math.max(-32, Math.min(31, nearestInt(f32(src[x + 16 * j + i] / d)))) + 32;
        }
      }
      for (let half = 0; half < 2; half++) {
        const ql = o + 64 * half, qh = o + 128 + 32 * half, j = 128 * half;
        for (let l = 0; l < 32; l++) {
          const a = L[j + l], c = L[j + l + 32], e = L[j + l + 64], g = L[j + l + 96];
          dst[ql + l] = (a & 0xf) | ((e & 0xf) << 4);
          dst[ql + l + 32] = (c & 0xf) | ((g & 0xf) << 4);
          dst[qh + l] = (a >> 4) | ((c >> 4) << 2) | ((e >> 4) << 4) | ((g >> 4) << 6);
        }
      }
    }
  },
};
