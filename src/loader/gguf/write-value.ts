// Encodes metadata values, refusing values that do not fit their declared GGUF type
// (a u8 of 300, a fractional i32, a string where a bool belongs).
import type { ByteWriter } from './byte-writer.ts';
import { GgufValueType as T, ggufValueTypeName, isGgufValueType, type GgufArray, type GgufValue } from './types.ts';

const INT_RANGE: Partial<Record<number, [number, number]>> = {
  [T.UINT8]: [0, 0xff], [T.INT8]: [-0x80, 0x7f], [T.UINT16]: [0, 0xffff], [T.INT16]: [-0x8000, 0x7fff],
  [T.UINT32]: [0, 0xffffffff], [T.INT32]: [-0x80000000, 0x7fffffff],
};
const INT64_RANGE: Partial<Record<number, [bigint, bigint]>> = {
  [T.UINT64]: [0n, 2n ** 64n - 1n], [T.INT64]: [-(2n ** 63n), 2n ** 63n - 1n],
};

function bad(key: string, v: unknown, type: number): never {
  const shown = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'object' ? 'an object' : String(v);
  throw new TypeError(`GGUF metadata '${key}': ${shown} is not a valid ${ggufValueTypeName(type)}`);
}

export function writeValue(w: ByteWriter, type: number, v: GgufValue, key: string, depth = 0): void {
  const range = INT_RANGE[type];
  if (range) {
    if (typeof v !== 'number' || !Number.isInteger(v) || v < range[0] || v > range[1]) bad(key, v, type);
  }
  switch (type) {
    case T.UINT8: return w.u8(v as number);
    case T.INT8: return w.i8(v as number);
    case T.UINT16: return w.u16(v as number);
    case T.INT16: return w.i16(v as number);
    case T.UINT32: return w.u32(v as number);
    case T.INT32: return w.i32(v as number);
    case T.FLOAT32:
    case T.FLOAT64:
      if (typeof v !== 'number') bad(key, v, type);
      return type === T.FLOAT32 ? w.f32(v) : w.f64(v);
    case T.BOOL:
      if (typeof v !== 'boolean') bad(key, v, type);
      return w.u8(v ? 1 : 0);
    case T.STRING:
      if (typeof v !== 'string') bad(key, v, type);
      return w.str(v);
    case T.UINT64:
    case T.INT64: {
      const [lo, hi] = INT64_RANGE[type]!;
      const ok = typeof v === 'bigint' || (typeof v === 'number' && Number.isSafeInteger(v));
      if (!ok || BigInt(v as number | bigint) < lo || BigInt(v as number | bigint) > hi) bad(key, v, type);
      return type === T.UINT64 ? w.u64(v as number | bigint) : w.i64(v as number | bigint);
    }
    case T.ARRAY:
      return writeArray(w, v, key, depth);
  }
  throw new TypeError(`GGUF metadata '${key}': unknown value type ${type}`);
}

function writeArray(w: ByteWriter, v: GgufValue, key: string, depth: number): void {
  const arr = v as GgufArray;
  if (typeof v !== 'object' || !arr.items || typeof arr.items.length !== 'number') bad(key, v, T.ARRAY);
  if (!isGgufValueType(arr.itemType)) throw new TypeError(`GGUF metadata '${key}': unknown array item type ${arr.itemType}`);
  if (depth >= 16) throw new TypeError(`GGUF metadata '${key}': arrays nested more than 16 deep`);
  w.u32(arr.itemType);
  w.u64(arr.items.length);
  const items = arr.items as ArrayLike<GgufValue>;
  for (let i = 0; i < items.length; i++) writeValue(w, arr.itemType, items[i], `${key}[${i}]`, depth + 1);
}
