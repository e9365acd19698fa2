// Malformed files: every case must be rejected with a GgufError whose message names the
// file and the problem — never a crash, a RangeError from deep inside, or a hang.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource } from '../../../src/loader/byte-source.ts';
import { encodeGguf, GgmlType, GgufError, GgufValueType as V, kv, readGguf } from '../../../src/loader/gguf/index.ts';
import { rng } from '../../helpers/random.ts';
import { indexOfAscii } from './helpers.ts';

function base(): Uint8Array {
  return encodeGguf(
    [['general.architecture', kv.string('llama')], ['general.alignment', kv.u32(32)], ['x.arr', kv.array(V.UINT32, [1, 2, 3])], ['x.b', kv.u8(1)]],
    [
      { name: 'tensor.weight', dims: [32, 2], type: GgmlType.Q8_0, data: new Uint8Array(68) },
      { name: 'tensor.norm', dims: [4], type: GgmlType.F32, data: new Uint8Array(16) },
    ],
  );
}

type Patch = (b: Uint8Array, v: DataView) => Uint8Array | void;
const after = (b: Uint8Array, s: string) => indexOfAscii(b, s) + s.length;

const cases: [string, Patch, RegExp][] = [
  ['empty file', (b) => b.subarray(0, 0), /not a GGUF file: only 0 bytes/],
  ['bad magic', (b) => { b.set([0x47, 0x47, 0x4d, 0x4c]); }, /not a GGUF file: starts with bytes 47 47 4d 4c, expected "GGUF"/],
  ['GGUF v1', (_, v) => v.setUint32(4, 1, true), /GGUF v1 is not supported \(only v2 and v3\)/],
  ['future version', (_, v) => v.setUint32(4, 4, true), /unsupported GGUF version 4/],
  ['big-endian', (_, v) => v.setUint32(4, 3, false), /big-endian GGUF/],
  ['unknown value type', (b, v) => v.setUint32(after(b, 'general.architecture'), 13, true), /metadata 'general.architecture' has unknown value type 13 \(byte \d+\)/],
  ['unknown array item type', (b, v) => v.setUint32(after(b, 'x.arr') + 4, 99, true), /metadata 'x.arr' is an array of unknown value type 99/],
  ['array count past EOF', (b, v) => v.setBigUint64(after(b, 'x.arr') + 8, 1n << 40n, true), /truncated: metadata 'x.arr' array of 1099511627776 u32 items .* runs past the end/],
  ['string length past EOF', (b, v) => v.setBigUint64(after(b, 'general.architecture') + 4, 1n << 50n, true), /truncated: metadata 'general.architecture' string at byte \d+ is 1125899906842624 bytes long/],
  ['count beyond 2^53', (_, v) => v.setBigUint64(8, 1n << 60n, true), /tensor count 1152921504606846976 at byte 8 is too large/],
  ['tensor count too big for the file', (_, v) => v.setBigUint64(8, 1n << 40n, true), /header claims 1099511627776 tensors and 4 metadata entries/],
  ['alignment not a power of two', (b, v) => v.setUint32(after(b, 'general.alignment') + 4, 48, true), /general.alignment 48 is not a power of two/],
  ['alignment not a u32', (b, v) => v.setUint32(after(b, 'general.alignment'), V.INT32, true), /general.alignment must be a u32/],
  ['unknown tensor type', (b, v) => v.setUint32(after(b, 'tensor.weight') + 4 + 16, 99, true), /tensor 'tensor.weight' has unknown ggml type 99 \(tensor info at byte \d+\)/],
  ['too many dims', (b, v) => v.setUint32(after(b, 'tensor.weight'), 5, true), /tensor 'tensor.weight' has 5 dims \(at most 4\)/],
  ['row not whole blocks', (b, v) => v.setBigUint64(after(b, 'tensor.weight') + 4, 33n, true), /row length 33 is not a multiple of the q8_0 block size 32/],
  ['misaligned tensor offset', (b, v) => v.setBigUint64(after(b, 'tensor.norm') + 4 + 8 + 4, 8n, true), /tensor 'tensor.norm' offset 8 is not a multiple of the alignment 32/],
  ['tensor data beyond EOF', (b, v) => v.setBigUint64(after(b, 'tensor.norm') + 4 + 8 + 4, 1n << 40n, true), /truncated: tensor 'tensor.norm' data \(bytes \d+\.\.\d+\) extends past the end of the file \(\d+ bytes\)/],
  ['file cut inside tensor data', (b) => b.subarray(0, b.length - 20), /tensor 'tensor.norm' data .* extends past the end of the file/],
];

for (const [name, patch, pattern] of cases) {
  test(`gguf rejects: ${name}`, async () => {
    const b = base();
    const out = patch(b, new DataView(b.buffer)) ?? b;
    await assert.rejects(readGguf(bytesSource('bad.gguf', out)), (e: Error) => {
      assert.ok(e instanceof GgufError, `${e.name}: ${e.message}`);
      assert.equal((e as GgufError).file, 'bad.gguf');
      assert.match(e.message, /^bad\.gguf: /);
      assert.match(e.message, pattern);
      return true;
    });
  });
}

test('gguf rejects a duplicate metadata key', async () => {
  const b = encodeGguf([['k.a', kv.u8(1)], ['k.b', kv.u8(2)]], []);
  b.set([0x6b, 0x2e, 0x61], indexOfAscii(b, 'k.b'));
  await assert.rejects(readGguf(bytesSource('dup.gguf', b)), /dup.gguf: duplicate metadata key 'k.a'$/);
});

test('gguf rejects a duplicate tensor name', async () => {
  const data = new Uint8Array(4);
  const b = encodeGguf([], [{ name: 't.a', dims: [1], type: GgmlType.F32, data }, { name: 't.b', dims: [1], type: GgmlType.F32, data }]);
  b.set([0x74, 0x2e, 0x61], indexOfAscii(b, 't.b'));
  await assert.rejects(readGguf(bytesSource('dup.gguf', b)), /dup.gguf: duplicate tensor name 't.a'$/);
});

test('gguf: every truncation of the header and data is a clear error', async () => {
  const b = base();
  const file = await readGguf(bytesSource('ok.gguf', b));
  const lastByte = file.tensors[1].fileOffset + file.tensors[1].byteSize;
  for (let cut = 0; cut < lastByte; cut++) {
    await assert.rejects(readGguf(bytesSource('cut.gguf', b.subarray(0, cut))), (e: Error) => e instanceof GgufError && /^cut\.gguf: (truncated|not a GGUF file)/.test(e.message), `cut at ${cut}`);
  }
  await readGguf(bytesSource('ok.gguf', b.subarray(0, lastByte))); // trailing padding may be missing
});

test('gguf: random byte corruption of the header never escapes as anything but GgufError', async () => {
  const b = base();
  const r = rng(11);
  const headerEnd = (await readGguf(bytesSource('ok.gguf', b))).dataOffset;
  for (let i = 0; i < 400; i++) {
    const c = b.slice();
    for (let k = 0; k < 3; k++) c[Math.floor(r() * headerEnd)] = Math.floor(r() * 256);
    try {
      await readGguf(bytesSource('fuzz.gguf', c));
    } catch (e) {
      assert.ok(e instanceof GgufError, `iteration ${i}: ${(e as Error).stack}`);
    }
  }
});
