import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/loader/byte-source.ts';
import {
  encodeGguf, GgmlType, GgufValueType as V, ggufArray, kv, metaArray, metaBool, metaNumber, metaString, planGguf, readGguf,
} from '../../../src/loader/gguf/index.ts';

test('metadata getters return JS values and reject the wrong type', async () => {
  const file = await readGguf(bytesSource('m.gguf', encodeGguf({
    'llama.block_count': kv.u32(2), 'llama.rope.freq_base': kv.f32(10000), 'big': kv.u64(2n ** 60n),
    'name': kv.string('tiny'), 'flag': kv.bool(true), 'ids': kv.array(V.INT32, [5, 6]),
  }, [])));
  const m = file.metadata;
  assert.equal(metaNumber(m, 'llama.block_count'), 2);
  assert.equal(metaNumber(m, 'llama.rope.freq_base'), 10000);
  assert.equal(metaNumber(m, 'absent'), undefined);
  assert.equal(metaString(m, 'name'), 'tiny');
  assert.equal(metaBool(m, 'flag'), true);
  assert.deepEqual(Array.from(metaArray(m, 'ids')!.items as Int32Array), [5, 6]);
  assert.equal(m.get('big')!.value, 2n ** 60n); // unsafe 64-bit integers stay bigint
  assert.throws(() => metaString(m, 'llama.block_count'), /'llama.block_count' is a u32, not a string/);
  assert.throws(() => metaNumber(m, 'name'), /'name' is a string, not a number/);
  assert.throws(() => metaNumber(m, 'big'), /does not fit a JS number/);
});

const invalid: [string, ReturnType<typeof kv.u8>, RegExp][] = [
  ['u8 out of range', kv.u8(256), /'k': 256 is not a valid u8/],
  ['i8 out of range', kv.i8(-129), /is not a valid i8/],
  ['fractional i32', kv.i32(1.5), /1.5 is not a valid i32/],
  ['u32 negative', kv.u32(-1), /-1 is not a valid u32/],
  ['u64 negative', kv.u64(-1n), /-1 is not a valid u64/],
  ['u64 too big', kv.u64(2n ** 64n), /is not a valid u64/],
  ['i64 unsafe number', kv.i64(2 ** 60), /is not a valid i64/],
  ['bool given a number', { type: V.BOOL, value: 1 }, /1 is not a valid bool/],
  ['string given a number', { type: V.STRING, value: 3 }, /3 is not a valid string/],
  ['f32 given a string', { type: V.FLOAT32, value: 'x' }, /"x" is not a valid f32/],
  ['array item out of range', kv.array(V.UINT8, [1, 300]), /'k\[1\]': 300 is not a valid u8/],
  ['nested array item', kv.array(V.ARRAY, [ggufArray(V.STRING, ['a', 4 as unknown as string])]), /'k\[0\]\[1\]': 4 is not a valid string/],
  ['unknown value type', { type: 13 as V, value: 0 }, /unknown value type 13/],
  ['unknown array item type', kv.array(42 as V, []), /unknown array item type 42/],
];
for (const [name, value, pattern] of invalid) {
  test(`gguf writer rejects ${name}`, () => assert.throws(() => planGguf([['k', value]], []), pattern));
}

test('gguf writer rejects bad tensors and alignments', () => {
  const f32 = (name: string, dims: number[], bytes: number) => ({ name, dims, type: GgmlType.F32, data: new Uint8Array(bytes) });
  assert.throws(() => encodeGguf([], [f32('a', [2], 4)]), /tensor 'a': f32 2 needs 8 bytes, got 4/);
  assert.throws(() => planGguf([], [{ name: 'q', dims: [48], type: GgmlType.Q4_0 }]), /row length 48 is not a multiple of the q4_0 block size 32/);
  assert.throws(() => planGguf([], [{ name: 'q', dims: [1, 1, 1, 1, 1], type: GgmlType.F32 }]), /needs 1 to 4 dims, got 5/);
  assert.throws(() => planGguf([], [{ name: 'q', dims: [4], type: 99 as GgmlType }]), /unknown ggml type 99/);
  assert.throws(() => encodeGguf([], [f32('a', [1], 4), f32('a', [1], 4)]), /duplicate GGUF tensor name 'a'/);
  assert.throws(() => planGguf([['k', kv.u8(1)], ['k', kv.u8(2)]], []), /duplicate GGUF metadata key 'k'/);
  assert.throws(() => planGguf([], [], { alignment: 48 }), /alignment 48 is not a power of two/);
  assert.throws(() => planGguf([['general.alignment', kv.u32(64)]], [], { alignment: 16 }), /alignment 16 conflicts with general.alignment 64/);
  assert.throws(() => planGguf([['general.alignment', kv.u64(64)]], []), /general.alignment must be a u32/);
  assert.equal(planGguf([['general.alignment', kv.u32(128)]], []).alignment, 128);
});

test('gguf: large headers (buffer growth, long strings) round trip', async () => {
  const tokens = Array.from({ length: 5000 }, (_, i) => `tok_${i}_${'x'.repeat(i % 50)}`);
  const long = 'ü'.repeat(300_000);
  const bytes = encodeGguf([['tokens', kv.array(V.STRING, tokens)], ['long', kv.string(long)]], []);
  const file = await readGguf(bytesSource('big.gguf', bytes), { chunkSize: 1000 });
  assert.deepEqual(metaArray(file.metadata, 'tokens')!.items, tokens);
  assert.equal(metaString(file.metadata, 'long'), long);
});
