// GGUF container vocabulary (ggml docs/gguf.md). Metadata values keep their GGUF type so
// a file read and written back is the same file.
import type { ByteSource } from '../byte-source.ts';
import type { GgmlType } from '../quant/formats.ts';

/** "GGUF" read as a little-endian u32. */
export const GGUF_MAGIC = 0x46554747;
export const GGUF_DEFAULT_ALIGNMENT = 32;
/** ggml's GGML_MAX_DIMS: tensors have 1 to 4 dims. */
export const GGUF_MAX_DIMS = 4;

/** `n` rounded up to a multiple of `alignment`. */
export const alignUp = (n: number, alignment: number) => Math.ceil(n / alignment) * alignment;

export const GgufValueType = {
  UINT8: 0, INT8: 1, UINT16: 2, INT16: 3, UINT32: 4, INT32: 5, FLOAT32: 6, BOOL: 7,
  STRING: 8, ARRAY: 9, UINT64: 10, INT64: 11, FLOAT64: 12,
} as const;
export type GgufValueType = (typeof GgufValueType)[keyof typeof GgufValueType];

const VALUE_TYPE_NAMES = ['u8', 'i8', 'u16', 'i16', 'u32', 'i32', 'f32', 'bool', 'string', 'array', 'u64', 'i64', 'f64'];

export function isGgufValueType(t: number): t is GgufValueType {
  return Number.isInteger(t) && t >= 0 && t < VALUE_TYPE_NAMES.length;
}

export function ggufValueTypeName(t: number): string {
  return VALUE_TYPE_NAMES[t] ?? `type ${t}`;
}

/**
 * Items of a metadata array. Read from a file: numeric items come as the matching typed
 * array (u64/i64 items as BigUint64Array/BigInt64Array), bools as boolean[], strings as
 * string[], nested arrays as GgufArray[]. The writer accepts any ArrayLike of those values.
 */
export type GgufArrayItems =
  | Uint8Array | Int8Array | Uint16Array | Int16Array | Uint32Array | Int32Array
  | Float32Array | Float64Array | BigUint64Array | BigInt64Array
  | ArrayLike<number> | ArrayLike<bigint> | ArrayLike<boolean> | ArrayLike<string> | ArrayLike<GgufArray>;

export interface GgufArray {
  readonly itemType: GgufValueType;
  readonly items: GgufArrayItems;
}

/**
 * A metadata value. Scalar u64/i64 are read as `number` when they are safe integers
 * (|v| <= 2^53 - 1) and as `bigint` otherwise; the writer takes either.
 */
export type GgufValue = number | bigint | boolean | string | GgufArray;

export interface GgufKv {
  readonly type: GgufValueType;
  readonly value: GgufValue;
}

/** Metadata in file order. */
export type GgufMetadata = Map<string, GgufKv>;

export interface GgufTensorInfo {
  readonly name: string;
  /** ggml order: dims[0] is the contiguous (row) length, e.g. [hidden, vocab] for token_embd. */
  readonly dims: readonly number[];
  readonly type: GgmlType;
  /** Offset from the start of the data section, as stored in the file. */
  readonly offset: number;
  /** Absolute byte offset in the file (dataOffset + offset). */
  readonly fileOffset: number;
  readonly numElements: number;
  readonly byteSize: number;
}

export interface GgufFile {
  readonly source: ByteSource;
  readonly version: number;
  readonly alignment: number;
  readonly metadata: GgufMetadata;
  readonly tensors: readonly GgufTensorInfo[];
  /** Absolute offset of the tensor data section (the end of the header, padded). */
  readonly dataOffset: number;
}

/** A malformed or unsupported GGUF file; the message starts with the file's name. */
export class GgufError extends Error {
  constructor(readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'GgufError';
  }
}
