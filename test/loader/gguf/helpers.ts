// Shared fixtures for the GGUF tests: metadata of every value type, tensors of several
// types, and a ByteSource wrapper that counts what is read.
import type { ByteSource } from '../../../src/loader/byte-source.ts';
import { GgmlType, GgufValueType as V, ggufArray, kv, type GgufArray, type GgufKv, type GgufValue } from '../../../src/loader/gguf/index.ts';
import { quantize } from '../../../src/loader/quant/index.ts';
import { randn } from '../../helpers/random.ts';

export function everyTypeMetadata(): [string, GgufKv][] {
  return [
    ['general.architecture', kv.string('llama')],
    ['s.u8', kv.u8(255)], ['s.i8', kv.i8(-128)], ['s.u16', kv.u16(65535)], ['s.i16', kv.i16(-32768)],
    ['s.u32', kv.u32(4294967295)], ['s.i32', kv.i32(-2147483648)],
    ['s.f32', kv.f32(Math.fround(-3.14159))], ['s.f64', kv.f64(Math.PI)],
    ['s.bool.true', kv.bool(true)], ['s.bool.false', kv.bool(false)],
    ['s.string', kv.string('héllo ✓ 🦙\n')], ['s.string.empty', kv.string('')],
    ['s.u64.safe', kv.u64(2 ** 53 - 1)], ['s.u64.max', kv.u64(2n ** 64n - 1n)],
    ['s.i64.neg', kv.i64(-5)], ['s.i64.min', kv.i64(-(2n ** 63n))],
    ['a.u8', kv.array(V.UINT8, [0, 1, 255])], ['a.i8', kv.array(V.INT8, [-128, 0, 127])],
    ['a.u16', kv.array(V.UINT16, [0, 65535])], ['a.i16', kv.array(V.INT16, [-32768, 32767])],
    ['a.u32', kv.array(V.UINT32, [0, 4294967295])], ['a.i32', kv.array(V.INT32, new Int32Array([-1, 2, -3]))],
    ['a.f32', kv.array(V.FLOAT32, new Float32Array([0.5, -1e-30, Infinity]))], ['a.f64', kv.array(V.FLOAT64, [Math.E, -0])],
    ['a.u64', kv.array(V.UINT64, [0n, 2n ** 64n - 1n])], ['a.i64', kv.array(V.INT64, [-(2n ** 63n), 7n])],
    ['a.bool', kv.array(V.BOOL, [true, false, true])], ['a.string', kv.array(V.STRING, ['a', '', 'ü', 'Ġthe'])],
    ['a.empty', kv.array(V.FLOAT32, [])],
    ['a.nested', kv.array(V.ARRAY, [ggufArray(V.INT32, [1, 2]), ggufArray(V.INT32, []), ggufArray(V.INT32, [3])])],
    ['a.nested.mixed', kv.array(V.ARRAY, [ggufArray(V.STRING, ['x', 'y']), ggufArray(V.ARRAY, [ggufArray(V.BOOL, [false])])])],
  ];
}

export interface TestTensor { name: string; dims: number[]; type: GgmlType; data: Uint8Array }

export function sampleTensors(): TestTensor[] {
  const t = (name: string, dims: number[], type: GgmlType, seed: number): TestTensor => {
    const n = dims.reduce((a, b) => a * b, 1);
    return { name, dims, type, data: quantize(type, randn(n, seed)) };
  };
  return [
    t('token_embd.weight', [64, 3], GgmlType.Q8_0, 1),
    t('blk.0.attn_q.weight', [256, 2], GgmlType.Q4_K, 2),
    t('blk.0.attn_norm.weight', [5], GgmlType.F32, 3),
    t('blk.0.ffn_up.weight', [2, 3, 2, 2], GgmlType.F16, 4),
    t('blk.0.ffn_down.weight', [256], GgmlType.Q6_K, 5),
    t('blk.0.attn_k.weight', [7], GgmlType.BF16, 6),
    t('blk.0.attn_v.weight', [32, 2], GgmlType.Q4_0, 7),
    t('output.weight', [32, 1], GgmlType.Q5_0, 8),
  ];
}

/** A value in a form assert.deepEqual compares across writer input and reader output. */
export function plain(v: GgufValue): unknown {
  if (typeof v !== 'object') return v;
  const a = v as GgufArray;
  const items = Array.from(a.items as ArrayLike<GgufValue>, (x) =>
    a.itemType === V.UINT64 || a.itemType === V.INT64 ? BigInt(x as number | bigint) : plain(x));
  return { itemType: a.itemType, items };
}

export interface CountingSource extends ByteSource {
  bytesRead: number;
  reads: number;
}

export function counting(src: ByteSource): CountingSource {
  const c: CountingSource = {
    name: src.name, size: src.size, bytesRead: 0, reads: 0,
    async read(offset, length) {
      const b = await src.read(offset, length);
      c.bytesRead += b.length;
      c.reads++;
      return b;
    },
  };
  return c;
}

export function indexOfAscii(buf: Uint8Array, s: string, from = 0): number {
  const needle = new TextEncoder().encode(s);
  outer: for (let i = from; i + needle.length <= buf.length; i++) {
    for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) continue outer;
    return i;
  }
  throw new Error(`'${s}' not found`);
}
