// GGUF v2/v3 reader. Layout: magic "GGUF", u32 version, u64 tensor count, u64 metadata
// count, metadata (key string, u32 type, value), tensor infos (name, u32 n_dims,
// u64 dims[n_dims], u32 ggml type, u64 offset), zero padding to the alignment, then the
// tensor data. Only the header is read here; tensor bytes are fetched on request.
import type { ByteSource } from '../byte-source.ts';
import { dequantize } from '../quant/index.ts';
import { ggmlTypeInfo } from '../quant/formats.ts';
import { ByteCursor, label } from './cursor.ts';
import { readString, readValue } from './read-value.ts';
import {
  alignUp, GGUF_DEFAULT_ALIGNMENT, GGUF_MAGIC, GGUF_MAX_DIMS, GgufError, GgufValueType, isGgufValueType,
  type GgufFile, type GgufMetadata, type GgufTensorInfo,
} from './types.ts';

export interface ReadGgufOptions {
  /** Header read granularity in bytes (default 1 MiB). */
  chunkSize?: number;
}

async function readPreamble(c: ByteCursor): Promise<{ version: number; numTensors: number; numKv: number }> {
  if (c.src.size < 8) c.fail(`not a GGUF file: only ${c.src.size} bytes`);
  await c.need(8, 'header');
  const magic = c.u32();
  if (magic !== GGUF_MAGIC) {
    const head = Array.from(new Uint8Array(new Uint32Array([magic]).buffer), (b) => b.toString(16).padStart(2, '0'));
    c.fail(`not a GGUF file: starts with bytes ${head.join(' ')}, expected "GGUF" (47 47 55 46)`);
  }
  const version = c.u32();
  if (version === 1) c.fail('GGUF v1 is not supported (only v2 and v3); convert the model again with a current llama.cpp');
  if (version !== 0 && (version & 0xffff) === 0) c.fail(`looks like a big-endian GGUF (version field ${version.toString(16)}); only little-endian files are supported`);
  if (version !== 2 && version !== 3) c.fail(`unsupported GGUF version ${version} (supported: 2, 3)`);
  await c.need(16, 'header counts');
  const numTensors = c.size64('tensor count');
  const numKv = c.size64('metadata count');
  // Each tensor info takes at least 24 bytes and each metadata pair at least 13.
  if (numTensors * 24 + numKv * 13 > c.remaining()) {
    c.fail(`truncated or corrupt: header claims ${numTensors} tensors and ${numKv} metadata entries, more than the remaining ${c.remaining()} bytes can hold`);
  }
  return { version, numTensors, numKv };
}

async function readMetadata(c: ByteCursor, numKv: number): Promise<GgufMetadata> {
  const metadata: GgufMetadata = new Map();
  for (let i = 0; i < numKv; i++) {
    const key = await readString(c, `metadata key #${i}`);
    const shown = label(key);
    await c.need(4, `metadata '${shown}' type`);
    const at = c.pos;
    const type = c.u32();
    if (!isGgufValueType(type)) c.fail(`metadata '${shown}' has unknown value type ${type} (byte ${at})`);
    const value = await readValue(c, type, shown);
    if (metadata.has(key)) c.fail(`duplicate metadata key '${shown}'`);
    metadata.set(key, { type, value });
  }
  return metadata;
}

function alignmentOf(c: ByteCursor, metadata: GgufMetadata): number {
  const kv = metadata.get('general.alignment');
  if (!kv) return GGUF_DEFAULT_ALIGNMENT;
  if (kv.type !== GgufValueType.UINT32) c.fail('general.alignment must be a u32');
  const a = kv.value as number;
  if (a === 0 || (a & (a - 1)) !== 0) c.fail(`general.alignment ${a} is not a power of two`);
  return a;
}

// `label` is the name as messages show it.
interface RawTensor { name: string; label: string; dims: number[]; type: number; offset: number; at: number }

async function readTensorInfo(c: ByteCursor, i: number): Promise<RawTensor> {
  const at = c.pos;
  const name = await readString(c, `tensor #${i} name`);
  const shown = label(name);
  await c.need(4, `tensor '${shown}' dims`);
  const nDims = c.u32();
  if (nDims > GGUF_MAX_DIMS) c.fail(`tensor '${shown}' has ${nDims} dims (at most ${GGUF_MAX_DIMS})`);
  await c.need(8 * nDims + 12, `tensor '${shown}' info`);
  const dims: number[] = [];
  for (let d = 0; d < nDims; d++) dims.push(c.size64(`tensor '${shown}' dim ${d}`));
  const type = c.u32();
  const offset = c.size64(`tensor '${shown}' offset`);
  return { name, label: shown, dims, type, offset, at };
}

function checkTensor(c: ByteCursor, t: RawTensor, alignment: number, dataOffset: number): GgufTensorInfo {
  const info = ggmlTypeInfo(t.type);
  if (!info) c.fail(`tensor '${t.label}' has unknown ggml type ${t.type} (tensor info at byte ${t.at})`);
  const numElements = t.dims.reduce((a, b) => a * b, 1);
  if (!Number.isSafeInteger(numElements)) c.fail(`tensor '${t.label}' has too many elements (dims ${t.dims.join('x')})`);
  if ((t.dims[0] ?? 1) % info.blockSize !== 0) {
    c.fail(`tensor '${t.label}' row length ${t.dims[0]} is not a multiple of the ${info.name} block size ${info.blockSize}`);
  }
  if (t.offset % alignment !== 0) c.fail(`tensor '${t.label}' offset ${t.offset} is not a multiple of the alignment ${alignment}`);
  const byteSize = (numElements / info.blockSize) * info.typeSize;
  const fileOffset = dataOffset + t.offset;
  if (fileOffset + byteSize > c.src.size) {
    c.fail(`truncated: tensor '${t.label}' data (bytes ${fileOffset}..${fileOffset + byteSize}) extends past the end of the file (${c.src.size} bytes)`);
  }
  return { name: t.name, dims: t.dims, type: info.type, offset: t.offset, fileOffset, numElements, byteSize };
}

/** Parses the header of a GGUF file; tensor data stays in the source. */
export async function readGguf(src: ByteSource, opts: ReadGgufOptions = {}): Promise<GgufFile> {
  const c = new ByteCursor(src, opts.chunkSize ?? 1 << 20);
  const { version, numTensors, numKv } = await readPreamble(c);
  const metadata = await readMetadata(c, numKv);
  const alignment = alignmentOf(c, metadata);
  const raw: RawTensor[] = [];
  for (let i = 0; i < numTensors; i++) raw.push(await readTensorInfo(c, i));
  const dataOffset = alignUp(c.pos, alignment);
  const names = new Set<string>();
  const tensors = raw.map((t) => {
    if (names.has(t.name)) c.fail(`duplicate tensor name '${t.label}'`);
    names.add(t.name);
    return checkTensor(c, t, alignment, dataOffset);
  });
  return { source: src, version, alignment, metadata, tensors, dataOffset };
}

export function findTensor(file: GgufFile, name: string): GgufTensorInfo | undefined {
  return file.tensors.find((t) => t.name === name);
}

function resolve(file: GgufFile, tensor: GgufTensorInfo | string): GgufTensorInfo {
  if (typeof tensor !== 'string') return tensor;
  const t = findTensor(file, tensor);
  if (!t) throw new GgufError(file.source.name, `no tensor named '${tensor}'`);
  return t;
}

/** The stored bytes of one tensor (or `length` bytes from `start` within it). */
export async function readTensorData(file: GgufFile, tensor: GgufTensorInfo | string, start = 0, length?: number): Promise<Uint8Array> {
  const t = resolve(file, tensor);
  const n = length ?? t.byteSize - start;
  if (start < 0 || n < 0 || start + n > t.byteSize) {
    throw new GgufError(file.source.name, `bytes ${start}..${start + n} are outside tensor '${t.name}' (${t.byteSize} bytes)`);
  }
  const bytes = await file.source.read(t.fileOffset + start, n);
  if (bytes.length !== n) throw new GgufError(file.source.name, `truncated: tensor '${t.name}' data ends early`);
  return bytes;
}

/** One tensor dequantized to f32 (small tensors, tests, conversion). */
export async function readTensorF32(file: GgufFile, tensor: GgufTensorInfo | string): Promise<Float32Array> {
  const t = resolve(file, tensor);
  return dequantize(t.type, await readTensorData(file, t), t.numElements);
}
