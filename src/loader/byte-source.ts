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

/**
 * A source over an HTTP(S) URL read with Range requests (browsers, Deno, a model on a
 * static server). The size comes from a HEAD request (or a 0-0 Range probe when HEAD
 * gives no Content-Length); a server that ignores Range is an error, not a silent
 * whole-file download.
 */
export async function fetchRangeSource(
  url: string,
  opts: { fetch?: typeof fetch; headers?: Record<string, string>; name?: string } = {},
): Promise<ByteSource> {
  const doFetch = opts.fetch ?? fetch;
  const name = opts.name ?? url;
  const headers = opts.headers ?? {};
  let size = -1;
  const head = await doFetch(url, { method: 'HEAD', headers });
  if (!head.ok) throw new Error(`${name}: HTTP ${head.status} ${head.statusText}`.trim());
  const len = head.headers.get('content-length');
  if (len !== null && /^\d+$/.test(len)) size = Number(len);
  if (size < 0) {
    const probe = await doFetch(url, { headers: { ...headers, Range: 'bytes=0-0' } });
    const total = /\/(\d+)$/.exec(probe.headers.get('content-range') ?? '')?.[1];
    await probe.body?.cancel();
    if (probe.status !== 206 || !total) throw new Error(`${name}: the server does not report the file size or support Range requests`);
    size = Number(total);
  }
  const self = { name, size };
  return {
    name,
    size,
    async read(offset, length) {
      const n = clipRange(self, offset, length);
      if (n === 0) return new Uint8Array(0);
      const res = await doFetch(url, { headers: { ...headers, Range: `bytes=${offset}-${offset + n - 1}` } });
      if (res.status !== 206) {
        await res.body?.cancel();
        throw new Error(`${name}: expected 206 Partial Content for a Range request, got HTTP ${res.status}`);
      }
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (bytes.byteLength !== n) throw new Error(`${name}: asked for ${n} bytes at ${offset}, got ${bytes.byteLength}`);
      return bytes;
    },
  };
}
