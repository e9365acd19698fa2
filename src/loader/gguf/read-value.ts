// Metadata values: scalars, strings (u64 length + UTF-8), arrays (u32 item type, u64
// count, items; arrays may nest). Counts are checked against the bytes left in the file
// before anything is allocated, so a corrupt count fails fast instead of exhausting memory.
import type { ByteCursor } from './cursor.ts';
import { GgufValueType as T, ggufValueTypeName, isGgufValueType, type GgufArray, type GgufValue } from './types.ts';

const MAX_NESTING = 16;

// Bytes per item of each fixed-size type; STRING and ARRAY give their minimum (the header).
const ITEM_BYTES = [1, 1, 2, 2, 4, 4, 4, 1, 8, 12, 8, 8, 8];

type TypedCtor = { new (buf: ArrayBuffer): GgufArray['items'] };
const TYPED: Partial<Record<number, TypedCtor>> = {
  [T.UINT8]: Uint8Array, [T.INT8]: Int8Array, [T.UINT16]: Uint16Array, [T.INT16]: Int16Array,
  [T.UINT32]: Uint32Array, [T.INT32]: Int32Array, [T.FLOAT32]: Float32Array, [T.FLOAT64]: Float64Array,
  [T.UINT64]: BigUint64Array, [T.INT64]: BigInt64Array,
};

export async function readString(c: ByteCursor, what: string): Promise<string> {
  if (c.buffered() < 8) await c.need(8, `${what} length`);
  const at = c.pos;
  const n = c.size64(`${what} length`);
  if (n > c.remaining()) c.fail(`truncated: ${what} at byte ${at} is ${n} bytes long, but only ${c.remaining()} bytes remain`);
  if (c.buffered() < n) await c.need(n, what);
  return c.str(n);
}

function readScalar(c: ByteCursor, type: number): GgufValue {
  switch (type) {
    case T.UINT8: return c.u8();
    case T.INT8: return c.i8();
    case T.UINT16: return c.u16();
    case T.INT16: return c.i16();
    case T.UINT32: return c.u32();
    case T.INT32: return c.i32();
    case T.FLOAT32: return c.f32();
    case T.FLOAT64: return c.f64();
    case T.BOOL: return c.u8() !== 0;
    case T.UINT64: return c.int64(false);
    case T.INT64: return c.int64(true);
  }
  throw new Error(`not a scalar GGUF type: ${type}`);
}

/** The value of metadata `key` (as messages show it), whose type tag has just been read. */
export async function readValue(c: ByteCursor, type: number, key: string, depth = 0): Promise<GgufValue> {
  if (type === T.STRING) return readString(c, `metadata '${key}' string`);
  if (type !== T.ARRAY) {
    await c.need(ITEM_BYTES[type], `metadata '${key}' ${ggufValueTypeName(type)} value`);
    return readScalar(c, type);
  }
  if (depth >= MAX_NESTING) c.fail(`metadata '${key}' nests arrays more than ${MAX_NESTING} deep`);
  await c.need(12, `metadata '${key}' array header`);
  const at = c.pos;
  const itemType = c.u32();
  const count = c.size64(`metadata '${key}' array length`);
  if (!isGgufValueType(itemType)) c.fail(`metadata '${key}' is an array of unknown value type ${itemType} (byte ${at})`);
  if (count * ITEM_BYTES[itemType] > c.remaining()) {
    c.fail(`truncated: metadata '${key}' array of ${count} ${ggufValueTypeName(itemType)} items at byte ${at} runs past the end of the file`);
  }
  const Typed = TYPED[itemType];
  if (Typed) {
    const n = count * ITEM_BYTES[itemType];
    await c.need(n, `metadata '${key}' array`);
    return { itemType, items: new Typed(c.bytes(n).slice().buffer) };
  }
  if (itemType === T.BOOL) {
    await c.need(count, `metadata '${key}' array`);
    return { itemType, items: Array.from(c.bytes(count), (b) => b !== 0) };
  }
  if (itemType === T.STRING) {
    const items: string[] = new Array(count);
    for (let i = 0; i < count; i++) items[i] = c.tryStr() ?? (await readString(c, `metadata '${key}' item ${i}`));
    return { itemType, items };
  }
  const items: GgufArray[] = new Array(count);
  for (let i = 0; i < count; i++) items[i] = (await readValue(c, T.ARRAY, `${key}[${i}]`, depth + 1)) as GgufArray;
  return { itemType, items };
}
