// Streaming digests for download verification. Hub files run to many GB, so the hash is
// fed chunk by chunk as bytes arrive (Web Crypto's digest() only takes whole buffers).
// The portable implementations are sha256.ts and sha1.ts; a runtime with a native
// hasher (node:crypto) passes its own `CreateHasher` in for speed.

export type HashAlgorithm = 'sha256' | 'sha1';

export interface Hasher {
  update(bytes: Uint8Array): void;
  /** Lower-case hex digest; the hasher is finished afterwards. */
  digestHex(): string;
}

export type CreateHasher = (algorithm: HashAlgorithm) => Hasher;

/**
 * The 64-byte-block, big-endian-length padding that SHA-1 and SHA-256 share. Subclasses
 * supply the compression function over 16 big-endian words and the final state.
 */
export abstract class BlockHasher implements Hasher {
  private readonly block = new Uint8Array(64);
  // Int32Array, not Uint32Array: words ≥ 2^31 would otherwise leave V8's small-integer
  // fast path and run ~2× slower.
  private readonly words = new Int32Array(80);
  private used = 0; // bytes buffered in `block`
  private length = 0; // total bytes fed
  private finished = false;

  protected abstract compress(w: Int32Array): void;
  protected abstract state(): Int32Array;

  update(bytes: Uint8Array): void {
    if (this.finished) throw new Error('hasher already finished');
    this.length += bytes.length;
    let i = 0;
    if (this.used > 0) {
      const n = Math.min(64 - this.used, bytes.length);
      this.block.set(bytes.subarray(0, n), this.used);
      this.used += n;
      i = n;
      if (this.used < 64) return;
      this.load(this.block, 0);
      this.used = 0;
    }
    for (; i + 64 <= bytes.length; i += 64) this.load(bytes, i);
    if (i < bytes.length) {
      this.block.set(bytes.subarray(i), 0);
      this.used = bytes.length - i;
    }
  }

  digestHex(): string {
    if (this.finished) throw new Error('hasher already finished');
    const bitsHi = Math.floor(this.length / 0x20000000); // length * 8 >>> 32
    const bitsLo = (this.length * 8) >>> 0;
    const tail = new Uint8Array(this.used < 56 ? 64 : 128);
    tail.set(this.block.subarray(0, this.used));
    tail[this.used] = 0x80;
    const view = new DataView(tail.buffer);
    view.setUint32(tail.length - 8, bitsHi);
    view.setUint32(tail.length - 4, bitsLo);
    for (let i = 0; i < tail.length; i += 64) this.load(tail, i);
    this.finished = true;
    let hex = '';
    for (const v of this.state()) hex += (v >>> 0).toString(16).padStart(8, '0');
    return hex;
  }

  private load(bytes: Uint8Array, at: number): void {
    const w = this.words;
    for (let j = 0; j < 16; j++, at += 4) {
      w[j] = (bytes[at] << 24) | (bytes[at + 1] << 16) | (bytes[at + 2] << 8) | bytes[at + 3];
    }
    this.compress(w);
  }
}
