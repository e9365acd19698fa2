import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobSource, bytesSource, type ByteSource } from '../../src/loader/byte-source.ts';

const data = Uint8Array.from({ length: 100 }, (_, i) => i);
const sources: [string, () => ByteSource][] = [
  ['bytesSource', () => bytesSource('mem.bin', data)],
  ['blobSource', () => blobSource(new Blob([data]), 'mem.bin')],
];

for (const [name, make] of sources) {
  test(`${name}: ranges, clipping at EOF, bad ranges`, async () => {
    const s = make();
    assert.equal(s.name, 'mem.bin');
    assert.equal(s.size, 100);
    assert.deepEqual(Array.from(await s.read(10, 3)), [10, 11, 12]);
    assert.deepEqual(Array.from(await s.read(98, 10)), [98, 99]);
    assert.equal((await s.read(100, 5)).length, 0);
    assert.equal((await s.read(0, 0)).length, 0);
    await assert.rejects(s.read(101, 1), /mem.bin: read at byte 101 is past the end \(size 100\)/);
    await assert.rejects(s.read(-1, 1), /mem.bin: bad read range/);
    await assert.rejects(s.read(0.5, 1), /mem.bin: bad read range/);
  });
}

test('blobSource takes a File its name', () => {
  assert.equal(blobSource(new File([data], 'model.gguf')).name, 'model.gguf');
  assert.equal(blobSource(new Blob([data])).name, 'blob');
});
