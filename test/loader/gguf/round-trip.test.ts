import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/loader/byte-source.ts';
import {
  encodeGguf, GgmlType, ggufChunks, kv, planGguf, readGguf, readTensorData, readTensorF32,
} from '../../../src/loader/gguf/index.ts';
import { dequantize } from '../../../src/loader/quant/index.ts';
import { everyTypeMetadata, plain, sampleTensors } from './helpers.ts';

async function roundTrip(opts: { version?: 2 | 3; alignment?: number }) {
  const meta = everyTypeMetadata();
  const tensors = sampleTensors();
  const bytes = encodeGguf(meta, tensors, opts);
  const file = await readGguf(bytesSource('model.gguf', bytes));
  const a = opts.alignment ?? 32;
  assert.equal(file.version, opts.version ?? 3);
  assert.equal(file.alignment, a);
  assert.equal(file.dataOffset % a, 0);
  // Metadata: same keys in the same order, same types and values; general.alignment is
  // added only when it is not the default.
  const expectKeys = meta.map(([k]) => k).concat(a === 32 ? [] : ['general.alignment']);
  assert.deepEqual([...file.metadata.keys()], expectKeys);
  for (const [k, e] of meta) {
    const got = file.metadata.get(k)!;
    assert.equal(got.type, e.type, k);
    assert.deepEqual(plain(got.value), plain(e.value), k);
  }
  if (a !== 32) assert.deepEqual(file.metadata.get('general.alignment'), kv.u32(a));
  assert.equal(file.tensors.length, tensors.length);
  let last = -1;
  for (const [i, t] of tensors.entries()) {
    const info = file.tensors[i];
    assert.deepEqual([info.name, info.dims, info.type, info.byteSize], [t.name, t.dims, t.type, t.data.byteLength]);
    assert.equal(info.numElements, t.dims.reduce((x, y) => x * y, 1));
    assert.equal(info.offset % a, 0);
    assert.ok(info.offset > last);
    last = info.offset;
    assert.deepEqual(await readTensorData(file, info), t.data);
    assert.deepEqual(await readTensorF32(file, t.name), dequantize(t.type, t.data, info.numElements));
  }
  // Writing what was read reproduces the file byte for byte.
  const again = encodeGguf(file.metadata, await Promise.all(file.tensors.map(async (t) => ({ ...t, data: await readTensorData(file, t) }))), { version: file.version as 2 | 3 });
  assert.deepEqual(again, bytes);
  return { bytes, file };
}

const layouts: [string, { version?: 2 | 3; alignment?: number }][] = [
  ['v3, default alignment', {}],
  ['v2', { version: 2 }],
  ['alignment 8', { alignment: 8 }],
  ['alignment 64', { alignment: 64 }],
  ['alignment 1', { alignment: 1 }],
  ['alignment 4096, v2', { alignment: 4096, version: 2 }],
];
for (const [name, opts] of layouts) test(`gguf round trip: ${name}`, async () => { await roundTrip(opts); });

test('gguf writer: exact bytes of a minimal file (layout per the spec)', () => {
  const bytes = encodeGguf([['a', kv.u32(7)]], [{ name: 't', dims: [4], type: GgmlType.F32, data: new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer) }]);
  const u32 = (v: number) => [v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, v >>> 24];
  const u64 = (v: number) => [...u32(v), 0, 0, 0, 0];
  const header = [
    ...[0x47, 0x47, 0x55, 0x46], ...u32(3), ...u64(1), ...u64(1), // magic "GGUF", version, tensors, kvs
    ...u64(1), 0x61, ...u32(4), ...u32(7), // key "a", type u32, 7
    ...u64(1), 0x74, ...u32(1), ...u64(4), ...u32(0), ...u64(0), // tensor "t": 1 dim [4], f32, offset 0
  ];
  const expected = [...header, ...new Array(96 - header.length).fill(0), ...new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer), ...new Array(16).fill(0)];
  assert.equal(header.length, 74);
  assert.deepEqual(Array.from(bytes), expected);
});

test('gguf writer: streamed chunks equal the in-memory file; tensor data produced lazily', async () => {
  const meta = everyTypeMetadata();
  const tensors = sampleTensors();
  const whole = encodeGguf(meta, tensors, { alignment: 64 });
  const produced: string[] = [];
  const lazy = tensors.map((t) => ({ ...t, data: async () => { produced.push(t.name); return t.data; } }));
  const parts: Uint8Array[] = [];
  for await (const c of ggufChunks(meta, lazy, { alignment: 64 })) parts.push(c);
  assert.deepEqual(produced, tensors.map((t) => t.name));
  assert.deepEqual(new Uint8Array(Buffer.concat(parts)), whole);
  const plan = planGguf(meta, tensors, { alignment: 64 });
  assert.equal(plan.fileSize, whole.length);
  assert.deepEqual(whole.subarray(0, plan.dataOffset), plan.header);
});

test('gguf: a file without tensors or metadata', async () => {
  const file = await readGguf(bytesSource('empty.gguf', encodeGguf([], [])));
  assert.equal(file.metadata.size, 0);
  assert.equal(file.tensors.length, 0);
});

test('gguf: tensor byte ranges and lookups by name', async () => {
  const { file } = await roundTrip({});
  const t = file.tensors[1];
  const part = await readTensorData(file, t.name, 144, 144);
  assert.deepEqual(part, (await readTensorData(file, t)).subarray(144, 288));
  await assert.rejects(readTensorData(file, t, 200, 100), /model.gguf: bytes 200..300 are outside tensor 'blk.0.attn_q.weight' \(288 bytes\)/);
  await assert.rejects(readTensorData(file, 'nope'), /model.gguf: no tensor named 'nope'/);
});
