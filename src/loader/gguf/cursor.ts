// Sequential reads over a ByteSource in bounded chunks: the GGUF header is parsed from
// a sliding buffer that holds at most one chunk plus the field being read, so parsing
// the header of a 40 GB file reads little more than the header itself.
import type { ByteSource } from '../byte-source.ts';
import { GgufError } from './types.ts';

const utf8 = new TextDecoder();
const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);

/** A key or tensor name as error messages show it: control characters escaped, long names cut. */
export function label(s: string): string {
  const t = s.length > 120 ? `${s.slice(0, 120)}…` : s;
  return /[\x00-\x1f\x7f]/.test(t) ? JSON.stringify(t).slice(1, -1) : t;
}

export class ByteCursor {
  /** Absolute offset of the next byte to parse. */
  pos = 0;
  /** Total bytes fetched from the source so far. */
  bytesFetched = 0;
  private buf = new Uint8Array(0);
  private view = new DataView(this.buf.buffer);
  private bufStart = 0;

  constructor(readonly src: ByteSource, readonly chunkSize: number) {}

  fail(problem: string): never {
    throw new GgufError(this.src.name, problem);
  }

  /** Bytes left in the file after `pos`. */
  remaining(): number {
    return this.src.size - this.pos;
  }

  /** Bytes buffered after `pos`; when >= n the sync readers below may read n bytes. */
  buffered(): number {
    return this.bufStart + this.buf.length - this.pos;
  }

  /** Makes the next n bytes readable; `what` names the field for the truncation error. */
  async need(n: number, what: string): Promise<void> {
    const have = this.buffered();
    if (have >= n) return;
    if (n > this.remaining()) {
      this.fail(`truncated: ${what} needs ${n} bytes at byte ${this.pos}, but the file ends at byte ${this.src.size}`);
    }
    const from = this.pos + have;
    const want = Math.min(Math.max(n - have, this.chunkSize), this.src.size - from);
    const more = await this.src.read(from, want);
    this.bytesFetched += more.length;
    if (more.length < n - have) this.fail(`truncated: reading ${what} at byte ${from} returned ${more.length} of ${want} bytes`);
    const next = new Uint8Array(have + more.length);
    next.set(this.buf.subarray(this.buf.length - have));
    next.set(more, have);
    this.buf = next;
    this.view = new DataView(next.buffer);
    this.bufStart = this.pos;
  }

  private at(n: number): number {
    const p = this.pos - this.bufStart;
    this.pos += n;
    return p;
  }

  u8(): number { return this.buf[this.at(1)]; }
  i8(): number { return this.view.getInt8(this.at(1)); }
  u16(): number { return this.view.getUint16(this.at(2), true); }
  i16(): number { return this.view.getInt16(this.at(2), true); }
  u32(): number { return this.view.getUint32(this.at(4), true); }
  i32(): number { return this.view.getInt32(this.at(4), true); }
  f32(): number { return this.view.getFloat32(this.at(4), true); }
  f64(): number { return this.view.getFloat64(this.at(8), true); }

  /** A u64/i64 as a number when it is a safe integer, else as a bigint. */
  int64(signed: boolean): number | bigint {
    const p = this.at(8);
    const v = signed ? this.view.getBigInt64(p, true) : this.view.getBigUint64(p, true);
    return v <= MAX_SAFE && v >= -MAX_SAFE ? Number(v) : v;
  }

  /** A u64 count/offset/length, which must fit a safe integer. */
  size64(what: string): number {
    const at = this.pos;
    const v = this.int64(false);
    if (typeof v === 'bigint') this.fail(`${what} ${v} at byte ${at} is too large`);
    return v;
  }

  /** The next n bytes (a view into the buffer: copy before keeping). */
  bytes(n: number): Uint8Array {
    const p = this.at(n);
    return this.buf.subarray(p, p + n);
  }

  /**
   * A whole u64-length string when it is already buffered, else undefined with nothing
   * consumed (the caller then takes the checked, awaiting path). Keeps vocabularies of
   * 150k tokens from costing one promise each.
   */
  tryStr(): string | undefined {
    const p = this.pos - this.bufStart;
    if (this.buf.length - p < 8 || this.view.getUint32(p + 4, true) !== 0) return undefined;
    const n = this.view.getUint32(p, true);
    if (this.buf.length - p - 8 < n) return undefined;
    this.pos += 8;
    return this.str(n);
  }

  /** n bytes of UTF-8 (invalid sequences become U+FFFD). */
  str(n: number): string {
    const p = this.at(n);
    if (n <= 24) {
      let s = '';
      for (let i = p; i < p + n; i++) {
        const b = this.buf[i];
        if (b >= 0x80) return utf8.decode(this.buf.subarray(p, p + n));
        s += String.fromCharCode(b);
      }
      return s;
    }
    return utf8.decode(this.buf.subarray(p, p + n));
  }
}
