// A growable little-endian byte buffer for building GGUF headers.

const utf8 = new TextEncoder();

export class ByteWriter {
  private buf = new Uint8Array(4096);
  private view = new DataView(this.buf.buffer);
  length = 0;

  private room(n: number): number {
    if (this.length + n > this.buf.length) {
      const next = new Uint8Array(Math.max(this.buf.length * 2, this.length + n));
      next.set(this.buf.subarray(0, this.length));
      this.buf = next;
      this.view = new DataView(next.buffer);
    }
    const at = this.length;
    this.length += n;
    return at;
  }

  // room() may replace buf/view, so it runs before they are read.
  u8(v: number) { const at = this.room(1); this.buf[at] = v; }
  i8(v: number) { const at = this.room(1); this.view.setInt8(at, v); }
  u16(v: number) { const at = this.room(2); this.view.setUint16(at, v, true); }
  i16(v: number) { const at = this.room(2); this.view.setInt16(at, v, true); }
  u32(v: number) { const at = this.room(4); this.view.setUint32(at, v, true); }
  i32(v: number) { const at = this.room(4); this.view.setInt32(at, v, true); }
  f32(v: number) { const at = this.room(4); this.view.setFloat32(at, v, true); }
  f64(v: number) { const at = this.room(8); this.view.setFloat64(at, v, true); }
  u64(v: number | bigint) { const at = this.room(8); this.view.setBigUint64(at, BigInt(v), true); }
  i64(v: number | bigint) { const at = this.room(8); this.view.setBigInt64(at, BigInt(v), true); }

  bytes(b: Uint8Array) { const at = this.room(b.length); this.buf.set(b, at); }

  /** u64 byte length + UTF-8 bytes (GGUF v2+ string). */
  str(s: string) {
    const b = utf8.encode(s);
    this.u64(b.length);
    this.bytes(b);
  }

  /** Zero bytes up to the next multiple of `alignment`. */
  pad(alignment: number) {
    const n = (alignment - (this.length % alignment)) % alignment;
    this.room(n); // new space is already zero
  }

  result(): Uint8Array<ArrayBuffer> {
    return this.buf.slice(0, this.length);
  }
}
