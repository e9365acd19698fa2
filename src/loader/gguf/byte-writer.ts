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

  u8(v: number) { this.buf[this.room(1)] = v; }
  i8(v: number) { this.view.setInt8(this.room(1), v); }
  u16(v: number) { this.view.setUint16(this.room(2), v, true); }
  i16(v: number) { this.view.setInt16(this.room(2), v, true); }
  u32(v: number) { this.view.setUint32(this.room(4), v, true); }
  i32(v: number) { this.view.setInt32(this.room(4), v, true); }
  f32(v: number) { this.view.setFloat32(this.room(4), v, true); }
  f64(v: number) { this.view.setFloat64(this.room(8), v, true); }
  u64(v: number | bigint) { this.view.setBigUint64(this.room(8), BigInt(v), true); }
  i64(v: number | bigint) { this.view.setBigInt64(this.room(8), BigInt(v), true); }

  bytes(b: Uint8Array) { this.buf.set(b, this.room(b.length)); }

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

  result(): Uint8Array {
    return this.buf.slice(0, this.length);
  }
}
