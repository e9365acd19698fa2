// A 64-bit checksum over a stream of little-endian u32 words, for detecting truncated or
// corrupt files (not an adversary). Two multiplicative lanes in the FNV-1a style: each
// step is a bijection of the lane state for a fixed word, so any single changed word
// always changes the result; other corruptions slip through with odds near 2^-64.

export class WordChecksum {
  private h1 = 0x811c9dc5;
  private h2 = 0x9e3779b9;
  private words = 0;

  /** Adds `bytes`, whose length must be a multiple of 4 (each chunk is word-aligned). */
  update(bytes: Uint8Array): this {
    if (bytes.byteLength % 4 !== 0) throw new RangeError(`WordChecksum: ${bytes.byteLength} bytes is not whole words`);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    let h1 = this.h1;
    let h2 = this.h2;
    for (let i = 0; i < bytes.byteLength; i += 4) {
      const w = view.getUint32(i, true);
      h1 = Math.imul(h1 ^ w, 0x01000193);
      h2 = Math.imul(((h2 << 5) | (h2 >>> 27)) ^ w, 0x85ebca6b);
    }
    this.h1 = h1;
    this.h2 = h2;
    this.words += bytes.byteLength / 4;
    return this;
  }

  /** [low, high] u32 halves; the word count is mixed in so appended zero words also show. */
  digest(): [number, number] {
    return [fmix32(this.h1 ^ this.words), fmix32(this.h2 ^ Math.imul(this.words, 0x27d4eb2f))];
  }
}

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
