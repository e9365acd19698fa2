// safetensors reader: 8-byte little-endian header length N, N bytes of JSON header, then
// the data section. Only the header is fetched (one read when it fits in `firstRead`,
// else two); tensor bytes are fetched when asked for, one range per request.
import type { ByteSource } from '../byte-source.ts';
import { LoaderError } from '../loader-error.ts';
import { parseSafetensorsHeader, type SafetensorsHeader, type SafetensorsTensorInfo } from './header.ts';

/** Hugging Face's own limit on the header (100 MB); anything bigger is corrupt. */
export const SAFETENSORS_MAX_HEADER = 100_000_000;

export interface ReadSafetensorsOptions {
  /** Bytes fetched speculatively with the length prefix (default 64 KiB; most headers fit). */
  firstRead?: number;
}

export interface SafetensorsFile extends SafetensorsHeader {
  readonly source: ByteSource;
  readonly byName: ReadonlyMap<string, SafetensorsTensorInfo>;
}

/** Parses the header of a safetensors file; tensor data stays in the source. */
export async function readSafetensors(src: ByteSource, opts: ReadSafetensorsOptions = {}): Promise<SafetensorsFile> {
  const file = src.name;
  if (src.size < 8) throw new LoaderError('truncated', file, `truncated: ${src.size} bytes is too short for a safetensors file (8-byte header length first)`);
  const first = await src.read(0, Math.max(8, Math.min(src.size, opts.firstRead ?? 64 << 10)));
  if (first.length < 8) throw new LoaderError('truncated', file, 'truncated: could not read the 8-byte header length');
  const n = new DataView(first.buffer, first.byteOffset, 8).getBigUint64(0, true);
  if (n > BigInt(SAFETENSORS_MAX_HEADER)) {
    const why = n > BigInt(src.size - 8) ? `, and the file is only ${src.size} bytes (not a safetensors file?)` : '';
    throw new LoaderError('bad-header', file, `header length ${n} is over the 100 MB limit${why}`);
  }
  const headerSize = Number(n);
  if (8 + headerSize > src.size) {
    throw new LoaderError('truncated', file, `truncated: header length ${headerSize} runs past the end of the file (${src.size} bytes)`);
  }
  let json: Uint8Array;
  if (first.length >= 8 + headerSize) json = first.subarray(8, 8 + headerSize);
  else {
    json = new Uint8Array(headerSize);
    json.set(first.subarray(8));
    const rest = await src.read(first.length, headerSize + 8 - first.length);
    if (rest.length !== headerSize + 8 - first.length) throw new LoaderError('truncated', file, 'truncated: header ends early');
    json.set(rest, first.length - 8);
  }
  const header = parseSafetensorsHeader(file, json, src.size);
  const byName = new Map(header.tensors.map((t) => [t.name, t]));
  return { ...header, source: src, byName };
}

function resolve(file: SafetensorsFile, tensor: SafetensorsTensorInfo | string): SafetensorsTensorInfo {
  if (typeof tensor !== 'string') return tensor;
  const t = file.byName.get(tensor);
  if (!t) throw new LoaderError('missing-tensor', file.source.name, `no tensor named '${tensor}'`);
  return t;
}

/** Bytes of one tensor as stored (or `length` bytes from `start` within it). */
export async function readSafetensorsData(
  file: SafetensorsFile, tensor: SafetensorsTensorInfo | string, start = 0, length?: number,
): Promise<Uint8Array> {
  const t = resolve(file, tensor);
  const n = length ?? t.byteSize - start;
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(n) || start < 0 || n < 0 || start + n > t.byteSize) {
    throw new RangeError(`${file.source.name}: bytes ${start}..${start + n} are outside tensor '${t.name}' (${t.byteSize} bytes)`);
  }
  const bytes = await file.source.read(t.fileOffset + start, n);
  if (bytes.length !== n) throw new LoaderError('truncated', file.source.name, `truncated: tensor '${t.name}' data ends early`);
  return bytes;
}
