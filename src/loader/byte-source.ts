// Byte-range readers. Loaders never hold a whole model file: they ask a ByteSource for
// the ranges they need (header chunks, one tensor at a time). Each runtime supplies its
// own (a Node file handle, an HTTP Range fetcher, a browser Blob/File); nothing here
// touches a file system.

export interface ByteSource {
  /** What error messages call this source: a path, a URL, a file name. */
  readonly name: string;
  /** Total size in bytes. */
  readonly size: number;
  /**
   * Bytes [offset, offset + length) clipped to the end of the source: the result is
   * shorter than `length` only when the range runs past `size`. Throws a RangeError for
   * a negative or non-integer offset/length or an offset past `size`.
   */
  read(offset: number, length: number): Promise<Uint8Array>;
}

/** Checks a read request and returns how many bytes it yields (clipped at EOF). */
export function clipRange(src: { name: string; size: number }, offset: number, length: number): number {
  if (!Number.isSafeInteger(offset) || !Number.isSafeInteger(length) || offset < 0 || length < 0) {
    throw new RangeError(`${src.name}: bad read range (offset ${offset}, length ${length})`);
  }
  if (offset > src.size) {
    throw new RangeError(`${src.name}: read at byte ${offset} is past the end (size ${src.size})`);
  }
  return Math.min(length, src.size - offset);
}

/** A source over bytes already in memory; reads return views, not copies. */
export function bytesSource(name: string, bytes: Uint8Array): ByteSource {
  return {
    name,
    size: bytes.byteLength,
    read: async (offset, length) => {
      const n = clipRange({ name, size: bytes.byteLength }, offset, length);
      return bytes.subarray(offset, offset + n);
    },
  };
}

/** A source over a Blob or File (browser file picker, OPFS, fetch().blob()). */
export function blobSource(blob: Blob, name = (blob as Partial<File>).name || 'blob'): ByteSource {
  return {
    name,
    size: blob.size,
    read: async (offset, length) => {
      const n = clipRange({ name, size: blob.size }, offset, length);
      return new Uint8Array(await blob.slice(offset, offset + n).arrayBuffer());
    },
  };
}
