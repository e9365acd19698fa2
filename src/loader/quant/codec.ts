// The shape every block format implements. Both directions work on whole blocks:
// `dst.length` (dequantize) or `src.length` (quantize) elements, a multiple of the
// type's block size; byte buffers hold numElements / blockSize * typeSize bytes.
// Byte order is little-endian, as in GGUF files.

export interface BlockCodec {
  dequantize(src: Uint8Array, dst: Float32Array): void;
  /** Absent for formats basert only reads. */
  quantize?(src: Float32Array, dst: Uint8Array): void;
}

/** f32 rounding of a double: the reference quantizers compute in f32. */
export const f32 = Math.fround;

/** C's roundf: half away from zero (Math.round sends -2.5 to -2). */
export function roundf(x: number): number {
  return x < 0 ? -Math.round(-x) : Math.round(x);
}

/** Round-half-to-even of an f32 value, as ggml's nearest_int() does via the 1.5*2^23 trick. */
export function nearestInt(x: number): number {
  return f32(x + 12582912) - 12582912;
}

export function readI8(b: Uint8Array, i: number): number {
  return (b[i] << 24) >> 24;
}
