// safetensors writer, laid out as Hugging Face's library writes files: "__metadata__"
// first in the header, then tensors in data order; the header JSON padded with spaces to
// a multiple of 8 bytes; data offsets contiguous from 0. By default tensors are ordered
// as HF orders them (by its Dtype enum, widest first, then by name), so every tensor starts at a
// multiple of its element size and can be viewed as a typed array without a copy.
import { dtypeRank, dtypeSize, isSafetensorsDtype, type SafetensorsDtype } from './dtype.ts';

export interface SafetensorsTensorSpec {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Outermost dim first (PyTorch order). */
  readonly shape: readonly number[];
}

export interface SafetensorsTensorInput extends SafetensorsTensorSpec {
  /** Little-endian element bytes, product(shape) × dtype size long. */
  readonly data: Uint8Array;
}

export interface SafetensorsWriteOptions {
  /** 'hf' (default): HF's Dtype enum order descending (wider first), then by name. 'given': the order passed in. */
  order?: 'hf' | 'given';
}

export interface SafetensorsLayout<T extends SafetensorsTensorSpec = SafetensorsTensorSpec> {
  /** The 8-byte length prefix and the padded JSON header: the file's first bytes. */
  readonly header: Uint8Array;
  /** Tensors in data order, with their [begin, end) within the data section. */
  readonly tensors: readonly { readonly spec: T; readonly begin: number; readonly end: number }[];
  readonly fileSize: number;
}

function byteSizeOf(t: SafetensorsTensorSpec): number {
  if (!isSafetensorsDtype(t.dtype)) throw new TypeError(`tensor '${t.name}': unknown safetensors dtype ${String(t.dtype)}`);
  if (!t.shape.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`tensor '${t.name}': bad shape ${JSON.stringify(t.shape)}`);
  return t.shape.reduce((a, b) => a * b, 1) * dtypeSize(t.dtype);
}

/** Header bytes and data layout for `specs`; the data itself is not needed. */
export function planSafetensors<T extends SafetensorsTensorSpec>(
  specs: readonly T[], metadata: Readonly<Record<string, string>> = {}, opts: SafetensorsWriteOptions = {},
): SafetensorsLayout<T> {
  const names = new Set<string>();
  for (const t of specs) {
    if (t.name === '' || t.name === '__metadata__') throw new RangeError(`bad safetensors tensor name '${t.name}'`);
    if (names.has(t.name)) throw new RangeError(`duplicate safetensors tensor name '${t.name}'`);
    names.add(t.name);
    byteSizeOf(t);
  }
  const ordered = [...specs];
  if ((opts.order ?? 'hf') === 'hf') {
    ordered.sort((a, b) => dtypeRank(b.dtype) - dtypeRank(a.dtype) || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }
  // Entries joined by hand: a JS object would move integer-like names ("7") to the front.
  const entries: string[] = [];
  if (Object.keys(metadata).length > 0) entries.push(`"__metadata__":${JSON.stringify(metadata)}`);
  let end = 0;
  const tensors = ordered.map((spec) => {
    const begin = end;
    end += byteSizeOf(spec);
    entries.push(`${JSON.stringify(spec.name)}:${JSON.stringify({ dtype: spec.dtype, shape: spec.shape, data_offsets: [begin, end] })}`);
    return { spec, begin, end };
  });
  const json = new TextEncoder().encode(`{${entries.join(',')}}`);
  const padded = Math.ceil(json.length / 8) * 8;
  const bytes = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(bytes.buffer).setBigUint64(0, BigInt(padded), true);
  bytes.set(json, 8);
  return { header: bytes, tensors, fileSize: bytes.length + end };
}

/** The file's bytes in order (header, then each tensor's data): for streaming to disk. */
export function* safetensorsChunks(
  tensors: readonly SafetensorsTensorInput[], metadata: Readonly<Record<string, string>> = {}, opts: SafetensorsWriteOptions = {},
): Generator<Uint8Array> {
  const layout = planSafetensors(tensors, metadata, opts);
  yield layout.header;
  for (const { spec, begin, end } of layout.tensors) {
    if (spec.data.byteLength !== end - begin) {
      throw new RangeError(`tensor '${spec.name}': ${spec.dtype} ${JSON.stringify(spec.shape)} needs ${end - begin} bytes, got ${spec.data.byteLength}`);
    }
    yield spec.data;
  }
}

/** A whole safetensors file in memory (tests, tiny generated models). */
export function encodeSafetensors(
  tensors: readonly SafetensorsTensorInput[], metadata: Readonly<Record<string, string>> = {}, opts: SafetensorsWriteOptions = {},
): Uint8Array<ArrayBuffer> {
  const chunks = [...safetensorsChunks(tensors, metadata, opts)];
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
