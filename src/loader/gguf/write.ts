// GGUF v3 (or v2) writer, laid out as llama.cpp's gguf writer does: header, metadata,
// tensor infos, zero padding to the alignment, then each tensor's data padded to the
// alignment. planGguf builds only the header, so a converter can stream tensors to a
// file one at a time (ggufChunks); encodeGguf assembles a whole file in memory.
import { ggmlTypeInfo, ggmlTypeName, type GgmlType } from '../quant/formats.ts';
import { ByteWriter } from './byte-writer.ts';
import { writeValue } from './write-value.ts';
import {
  alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_MAX_DIMS, GgufValueType, type GgufKv,
} from './types.ts';

export interface GgufTensorSpec {
  readonly name: string;
  /** ggml order: dims[0] is the contiguous row length. */
  readonly dims: readonly number[];
  readonly type: GgmlType;
}

export interface GgufWriteOptions {
  /** 3 (default) or 2: identical little-endian layouts. */
  version?: 2 | 3;
  /** Power of two; default general.alignment from the metadata, else 32. A value other
   *  than 32 is recorded as general.alignment when the metadata lacks it. */
  alignment?: number;
}

export type GgufMetadataInput = Iterable<readonly [string, GgufKv]> | Readonly<Record<string, GgufKv>>;

export interface GgufLayout {
  /** Header, metadata, tensor infos and padding: the file's first dataOffset bytes. */
  readonly header: Uint8Array;
  readonly dataOffset: number;
  readonly alignment: number;
  /** Per tensor, in input order: offset from dataOffset and unpadded byte size. */
  readonly offsets: readonly number[];
  readonly byteSizes: readonly number[];
  readonly fileSize: number;
}

function entries(meta: GgufMetadataInput): [string, GgufKv][] {
  const it = Symbol.iterator in meta ? (meta as Iterable<readonly [string, GgufKv]>) : Object.entries(meta);
  return Array.from(it, ([k, v]) => [k, v]);
}

function resolveAlignment(kvs: [string, GgufKv][], requested?: number): number {
  const kv = kvs.find(([k]) => k === 'general.alignment')?.[1];
  if (kv && kv.type !== GgufValueType.UINT32) throw new TypeError('general.alignment must be a u32');
  const fromMeta = kv?.value as number | undefined;
  if (requested !== undefined && fromMeta !== undefined && requested !== fromMeta) {
    throw new RangeError(`alignment ${requested} conflicts with general.alignment ${fromMeta}`);
  }
  const a = requested ?? fromMeta ?? GGUF_DEFAULT_ALIGNMENT;
  if (!Number.isInteger(a) || a <= 0 || (a & (a - 1)) !== 0 || a > 0x80000000) {
    throw new RangeError(`GGUF alignment ${a} is not a power of two`);
  }
  if (!kv && a !== GGUF_DEFAULT_ALIGNMENT) kvs.push(['general.alignment', { type: GgufValueType.UINT32, value: a }]);
  return a;
}

function tensorSize(t: GgufTensorSpec): number {
  const info = ggmlTypeInfo(t.type);
  if (!info) throw new TypeError(`tensor '${t.name}': unknown ggml type ${t.type}`);
  if (t.dims.length < 1 || t.dims.length > GGUF_MAX_DIMS) throw new RangeError(`tensor '${t.name}': needs 1 to ${GGUF_MAX_DIMS} dims, got ${t.dims.length}`);
  if (!t.dims.every((d) => Number.isSafeInteger(d) && d >= 0)) throw new RangeError(`tensor '${t.name}': bad dims ${t.dims.join('x')}`);
  if (t.dims[0] % info.blockSize !== 0) {
    throw new RangeError(`tensor '${t.name}': row length ${t.dims[0]} is not a multiple of the ${ggmlTypeName(t.type)} block size ${info.blockSize}`);
  }
  return (t.dims.reduce((a, b) => a * b, 1) / info.blockSize) * info.typeSize;
}

/** The header bytes and data layout of a GGUF file holding `tensors` (no tensor data). */
export function planGguf(metadata: GgufMetadataInput, tensors: readonly GgufTensorSpec[], opts: GgufWriteOptions = {}): GgufLayout {
  const kvs = entries(metadata);
  const alignment = resolveAlignment(kvs, opts.alignment);
  const names = new Set<string>();
  for (const [k] of kvs) {
    if (names.has(k)) throw new RangeError(`duplicate GGUF metadata key '${k}'`);
    names.add(k);
  }
  const w = new ByteWriter();
  w.u32(GGUF_MAGIC);
  w.u32(opts.version ?? 3);
  w.u64(tensors.length);
  w.u64(kvs.length);
  for (const [key, kv] of kvs) {
    w.str(key);
    w.u32(kv.type);
    writeValue(w, kv.type, kv.value, key);
  }
  const offsets: number[] = [], byteSizes: number[] = [];
  const tensorNames = new Set<string>();
  let offset = 0;
  for (const t of tensors) {
    if (tensorNames.has(t.name)) throw new RangeError(`duplicate GGUF tensor name '${t.name}'`);
    tensorNames.add(t.name);
    const size = tensorSize(t);
    w.str(t.name);
    w.u32(t.dims.length);
    for (const d of t.dims) w.u64(d);
    w.u32(t.type);
    w.u64(offset);
    offsets.push(offset);
    byteSizes.push(size);
    offset += alignUp(size, alignment);
  }
  w.pad(alignment);
  const header = w.result();
  return { header, dataOffset: header.length, alignment, offsets, byteSizes, fileSize: header.length + offset };
}

export interface GgufTensorInput extends GgufTensorSpec {
  /** The stored bytes (already quantized), or a function producing them when needed. */
  readonly data: Uint8Array | (() => Uint8Array | Promise<Uint8Array>);
}

function checkData(layout: GgufLayout, i: number, t: GgufTensorSpec, data: Uint8Array): void {
  if (data.byteLength !== layout.byteSizes[i]) {
    throw new RangeError(`tensor '${t.name}': ${ggmlTypeName(t.type)} ${t.dims.join('x')} needs ${layout.byteSizes[i]} bytes, got ${data.byteLength}`);
  }
}

/** A GGUF file as successive chunks (header, then each tensor and its padding) for streaming to disk. */
export async function* ggufChunks(metadata: GgufMetadataInput, tensors: readonly GgufTensorInput[], opts: GgufWriteOptions = {}): AsyncGenerator<Uint8Array> {
  const layout = planGguf(metadata, tensors, opts);
  yield layout.header;
  for (let i = 0; i < tensors.length; i++) {
    const t = tensors[i];
    const data = typeof t.data === 'function' ? await t.data() : t.data;
    checkData(layout, i, t, data);
    yield data;
    const pad = alignUp(data.byteLength, layout.alignment) - data.byteLength;
    if (pad) yield new Uint8Array(pad);
  }
}

/** A whole GGUF file in memory (test models, small conversions). */
export function encodeGguf(
  metadata: GgufMetadataInput, tensors: readonly (GgufTensorSpec & { readonly data: Uint8Array })[], opts: GgufWriteOptions = {},
): Uint8Array<ArrayBuffer> {
  const layout = planGguf(metadata, tensors, opts);
  const out = new Uint8Array(layout.fileSize);
  out.set(layout.header);
  tensors.forEach((t, i) => {
    checkData(layout, i, t, t.data);
    out.set(t.data, layout.dataOffset + layout.offsets[i]);
  });
  return out;
}
