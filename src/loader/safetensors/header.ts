// The safetensors JSON header, checked the way Hugging Face's safetensors library checks
// it: a JSON object of tensor name → {dtype, shape, data_offsets} plus an optional
// "__metadata__" string map; data_offsets are [begin, end) within the data section that
// follows the header, and the tensors tile that section exactly (no gaps, no overlap,
// nothing left over), each spanning product(shape) × dtype size bytes.
import { LoaderError } from '../loader-error.ts';
import { dtypeSize, isSafetensorsDtype, type SafetensorsDtype } from './dtype.ts';

export interface SafetensorsTensorInfo {
  readonly name: string;
  readonly dtype: SafetensorsDtype;
  /** Outermost dim first (PyTorch order): e.g. [vocab, hidden] for embed_tokens.weight. */
  readonly shape: readonly number[];
  /** [begin, end) in bytes from the start of the data section, as stored. */
  readonly dataOffsets: readonly [number, number];
  /** Absolute byte offset of the tensor in its file (8 + header size + begin). */
  readonly fileOffset: number;
  readonly byteSize: number;
  readonly numElements: number;
}

export interface SafetensorsHeader {
  /** N, the JSON header's length in bytes (padding included). */
  readonly headerSize: number;
  /** Absolute offset of the data section: 8 + N. */
  readonly dataOffset: number;
  readonly metadata: Readonly<Record<string, string>>;
  /** In data order (ascending offsets). */
  readonly tensors: readonly SafetensorsTensorInfo[];
}

const METADATA_KEY = '__metadata__';
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;

function decodeJson(file: string, bytes: Uint8Array): Record<string, unknown> {
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new LoaderError('bad-header', file, 'safetensors header is not valid UTF-8');
  }
  if (!text.trimStart().startsWith('{')) {
    throw new LoaderError('bad-header', file, `not a safetensors file: the header should be a JSON object, it starts ${JSON.stringify(text.slice(0, 16))}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new LoaderError('bad-header', file, `safetensors header is not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(value)) throw new LoaderError('bad-header', file, 'safetensors header is not a JSON object');
  return value;
}

function parseMetadata(file: string, raw: unknown): Record<string, string> {
  if (!isObject(raw)) throw new LoaderError('bad-header', file, `"${METADATA_KEY}" must be an object of strings`);
  for (const [k, v] of Object.entries(raw)) {
    if (typeof v !== 'string') throw new LoaderError('bad-header', file, `"${METADATA_KEY}"."${k}" must be a string, got ${JSON.stringify(v)}`);
  }
  return raw as Record<string, string>;
}

function parseTensor(file: string, name: string, raw: unknown, dataOffset: number): SafetensorsTensorInfo {
  const bad = (code: 'bad-header' | 'bad-offsets' | 'unknown-dtype', problem: string): never => {
    throw new LoaderError(code, file, `tensor '${name}': ${problem}`);
  };
  if (!isObject(raw)) return bad('bad-header', 'entry is not an object');
  const { dtype, shape, data_offsets: offsets } = raw;
  if (typeof dtype !== 'string') return bad('bad-header', 'missing "dtype"');
  if (!isSafetensorsDtype(dtype)) return bad('unknown-dtype', `unknown or unsupported dtype "${dtype}"`);
  if (!Array.isArray(shape) || !shape.every(isCount)) return bad('bad-header', `"shape" must be a list of non-negative integers, got ${JSON.stringify(shape)}`);
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isCount)) {
    return bad('bad-header', `"data_offsets" must be [begin, end] integers, got ${JSON.stringify(offsets)}`);
  }
  const [begin, end] = offsets as [number, number];
  if (end < begin) return bad('bad-offsets', `data_offsets [${begin}, ${end}] end before they begin`);
  const numElements = (shape as number[]).reduce((a, b) => a * b, 1);
  const byteSize = numElements * dtypeSize(dtype);
  if (!Number.isSafeInteger(byteSize)) return bad('bad-header', `shape ${JSON.stringify(shape)} is too large`);
  if (end - begin !== byteSize) {
    return bad('bad-offsets', `data_offsets [${begin}, ${end}] span ${end - begin} bytes but ${dtype} ${JSON.stringify(shape)} needs ${byteSize}`);
  }
  return { name, dtype, shape: shape as number[], dataOffsets: [begin, end], fileOffset: dataOffset + begin, byteSize, numElements };
}

/**
 * Parses and checks the `headerSize` JSON bytes of a safetensors file of `fileSize`
 * bytes; `file` is what errors name.
 */
export function parseSafetensorsHeader(file: string, json: Uint8Array, fileSize: number): SafetensorsHeader {
  const headerSize = json.byteLength;
  const dataOffset = 8 + headerSize;
  const raw = decodeJson(file, json);
  let metadata: Record<string, string> = {};
  const tensors: SafetensorsTensorInfo[] = [];
  for (const [name, entry] of Object.entries(raw)) {
    if (name === METADATA_KEY) metadata = parseMetadata(file, entry);
    else tensors.push(parseTensor(file, name, entry, dataOffset));
  }
  tensors.sort((a, b) => a.dataOffsets[0] - b.dataOffsets[0] || a.dataOffsets[1] - b.dataOffsets[1]);
  let end = 0;
  let prev = '';
  for (const t of tensors) {
    const [b] = t.dataOffsets;
    if (b < end) throw new LoaderError('bad-offsets', file, `tensors '${prev}' and '${t.name}' overlap (bytes ${b}..${end} of the data section)`);
    if (b > end) throw new LoaderError('bad-offsets', file, `gap of ${b - end} bytes before tensor '${t.name}' (data_offsets begin at ${b}, previous data ends at ${end})`);
    end = t.dataOffsets[1];
    prev = t.name;
  }
  const dataSize = fileSize - dataOffset;
  if (end > dataSize) {
    throw new LoaderError('truncated', file, `truncated: tensor data should be ${end} bytes after the ${headerSize}-byte header, the file has ${dataSize} (file is ${fileSize} bytes, expected ${dataOffset + end})`);
  }
  if (end < dataSize) throw new LoaderError('bad-offsets', file, `${dataSize - end} bytes after the last tensor's data are not covered by any tensor`);
  return { headerSize, dataOffset, metadata, tensors };
}
