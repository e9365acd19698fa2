// Building typed metadata for the writer (kv.u32(8), kv.array(GgufValueType.STRING, tokens))
// and reading it back with the expected JS type.
import {
  GgufValueType as T, ggufValueTypeName, type GgufValueType, type GgufArray, type GgufArrayItems, type GgufKv, type GgufMetadata,
} from './types.ts';

const scalar = <V extends number | bigint | boolean | string>(type: GgufValueType) => (value: V): GgufKv => ({ type, value });

export const kv = {
  u8: scalar<number>(T.UINT8), i8: scalar<number>(T.INT8),
  u16: scalar<number>(T.UINT16), i16: scalar<number>(T.INT16),
  u32: scalar<number>(T.UINT32), i32: scalar<number>(T.INT32),
  u64: scalar<number | bigint>(T.UINT64), i64: scalar<number | bigint>(T.INT64),
  f32: scalar<number>(T.FLOAT32), f64: scalar<number>(T.FLOAT64),
  bool: scalar<boolean>(T.BOOL), string: scalar<string>(T.STRING),
  array: (itemType: GgufValueType, items: GgufArrayItems): GgufKv => ({ type: T.ARRAY, value: { itemType, items } }),
};

/** An array value, for nesting inside kv.array(GgufValueType.ARRAY, [...]). */
export const ggufArray = (itemType: GgufValueType, items: GgufArrayItems): GgufArray => ({ itemType, items });

function typed(meta: GgufMetadata, key: string, want: string, ok: (t: number) => boolean): GgufKv | undefined {
  const e = meta.get(key);
  if (e && !ok(e.type)) throw new TypeError(`GGUF metadata '${key}' is a ${ggufValueTypeName(e.type)}, not ${want}`);
  return e;
}

const NUMERIC = new Set<number>([T.UINT8, T.INT8, T.UINT16, T.INT16, T.UINT32, T.INT32, T.FLOAT32, T.FLOAT64, T.UINT64, T.INT64]);

/** A numeric value (any integer or float type), or undefined when absent. */
export function metaNumber(meta: GgufMetadata, key: string): number | undefined {
  const v = typed(meta, key, 'a number', (t) => NUMERIC.has(t))?.value;
  if (typeof v === 'bigint') throw new RangeError(`GGUF metadata '${key}' = ${v} does not fit a JS number`);
  return v as number | undefined;
}

export function metaString(meta: GgufMetadata, key: string): string | undefined {
  return typed(meta, key, 'a string', (t) => t === T.STRING)?.value as string | undefined;
}

export function metaBool(meta: GgufMetadata, key: string): boolean | undefined {
  return typed(meta, key, 'a bool', (t) => t === T.BOOL)?.value as boolean | undefined;
}

export function metaArray(meta: GgufMetadata, key: string): GgufArray | undefined {
  return typed(meta, key, 'an array', (t) => t === T.ARRAY)?.value as GgufArray | undefined;
}
