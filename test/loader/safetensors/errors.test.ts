// Corrupt or truncated safetensors files: each fails with a LoaderError whose code says
// what kind of problem it is and whose message names the file and the problem.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource, type ByteSource } from '../../../src/loader/byte-source.ts';
import { LoaderError, type LoaderErrorCode } from '../../../src/loader/loader-error.ts';
import { encodeSafetensors, readSafetensors, readSafetensorsData } from '../../../src/loader/safetensors/index.ts';
import { rawFile, sampleTensors } from './helpers.ts';

const f32 = (shape: number[], begin: number, end: number) => ({ dtype: 'F32', shape, data_offsets: [begin, end] });

function lengthPrefix(n: bigint, rest: Uint8Array = new Uint8Array(0)): Uint8Array {
  const out = new Uint8Array(8 + rest.length);
  new DataView(out.buffer).setBigUint64(0, n, true);
  out.set(rest, 8);
  return out;
}

const good = encodeSafetensors(sampleTensors());

const CASES: Record<string, { bytes: Uint8Array; code: LoaderErrorCode; message: RegExp }> = {
  'shorter than the length prefix': { bytes: new Uint8Array(5), code: 'truncated', message: /5 bytes is too short/ },
  'header length past the end of the file': { bytes: lengthPrefix(500n, new TextEncoder().encode('{}')), code: 'truncated', message: /header length 500 runs past the end of the file \(10 bytes\)/ },
  'header length over 100 MB': { bytes: lengthPrefix(2n ** 40n, new TextEncoder().encode('{}')), code: 'bad-header', message: /over the 100 MB limit, and the file is only 10 bytes/ },
  'header not JSON': { bytes: rawFile('{"a": {"dtype": "F32",'), code: 'bad-header', message: /not valid JSON/ },
  'header not UTF-8': { bytes: rawFile('{}').fill(0xff, 8, 9), code: 'bad-header', message: /not valid UTF-8/ },
  'header not an object': { bytes: rawFile('[1, 2]'), code: 'bad-header', message: /should be a JSON object/ },
  'a GGUF file': { bytes: new TextEncoder().encode('GGUF\x03\x00\x00\x00\x00\x00\x00\x00'), code: 'bad-header', message: /over the 100 MB limit/ },
  'unknown dtype': { bytes: rawFile({ w: { dtype: 'Q4_K', shape: [2], data_offsets: [0, 2] } }, new Uint8Array(2)), code: 'unknown-dtype', message: /tensor 'w': unknown or unsupported dtype "Q4_K"/ },
  'sub-byte dtype': { bytes: rawFile({ w: { dtype: 'F4', shape: [2], data_offsets: [0, 1] } }, new Uint8Array(1)), code: 'unknown-dtype', message: /"F4"/ },
  'missing dtype': { bytes: rawFile({ w: { shape: [1], data_offsets: [0, 4] } }, new Uint8Array(4)), code: 'bad-header', message: /tensor 'w': missing "dtype"/ },
  'negative dim': { bytes: rawFile({ w: f32([-1], 0, 4) }, new Uint8Array(4)), code: 'bad-header', message: /"shape" must be a list of non-negative integers/ },
  'fractional dim': { bytes: rawFile({ w: f32([1.5], 0, 4) }, new Uint8Array(4)), code: 'bad-header', message: /"shape"/ },
  'offsets not a pair': { bytes: rawFile({ w: { dtype: 'F32', shape: [1], data_offsets: [0] } }, new Uint8Array(4)), code: 'bad-header', message: /"data_offsets" must be \[begin, end\]/ },
  'offsets disagree with shape': { bytes: rawFile({ w: f32([2], 0, 4) }, new Uint8Array(4)), code: 'bad-offsets', message: /span 4 bytes but F32 \[2\] needs 8/ },
  'offsets reversed': { bytes: rawFile({ w: f32([1], 8, 4) }, new Uint8Array(8)), code: 'bad-offsets', message: /end before they begin/ },
  'overlapping tensors': { bytes: rawFile({ a: f32([2], 0, 8), b: f32([2], 4, 12) }, new Uint8Array(12)), code: 'bad-offsets', message: /tensors 'a' and 'b' overlap/ },
  'gap between tensors': { bytes: rawFile({ a: f32([1], 0, 4), b: f32([1], 8, 12) }, new Uint8Array(12)), code: 'bad-offsets', message: /gap of 4 bytes before tensor 'b'/ },
  'offsets past the end (file cut short)': { bytes: rawFile({ a: f32([1], 0, 4), b: f32([4], 4, 20) }, new Uint8Array(12)), code: 'truncated', message: /tensor data should be 20 bytes .* the file has 12/ },
  'truncated copy of a real file': { bytes: good.subarray(0, good.length - 3), code: 'truncated', message: /truncated/ },
  'bytes after the last tensor': { bytes: rawFile({ a: f32([1], 0, 4) }, new Uint8Array(9)), code: 'bad-offsets', message: /5 bytes after the last tensor's data/ },
  '__metadata__ with a number': { bytes: rawFile({ __metadata__: { format: 1 } }), code: 'bad-header', message: /"__metadata__"."format" must be a string/ },
  'tensor entry not an object': { bytes: rawFile({ w: [1, 2] }), code: 'bad-header', message: /tensor 'w': entry is not an object/ },
};

for (const [name, c] of Object.entries(CASES)) {
  test(`bad safetensors: ${name}`, async () => {
    await assert.rejects(readSafetensors(bytesSource('/models/x/model.safetensors', c.bytes)), (e: unknown) => {
      assert.ok(e instanceof LoaderError, String(e));
      assert.equal(e.code, c.code, e.message);
      assert.equal(e.file, '/models/x/model.safetensors');
      assert.ok(e.message.startsWith('/models/x/model.safetensors: '), e.message);
      assert.match(e.message, c.message);
      return true;
    });
  });
}

test('a source that returns less than its size says (tensor data ends early)', async () => {
  const inner = bytesSource('short.safetensors', good);
  const cut = (await readSafetensors(inner)).dataOffset + 4;
  const lying: ByteSource = { ...inner, read: async (o, n) => (await inner.read(o, n)).subarray(0, Math.max(0, cut - o)) };
  const file = await readSafetensors(lying, { firstRead: 64 });
  const last = file.tensors.at(-1)!;
  await assert.rejects(readSafetensorsData(file, last), (e: unknown) => e instanceof LoaderError && e.code === 'truncated' && /data ends early/.test(e.message));
});

test('an empty file with a valid header is fine', async () => {
  const file = await readSafetensors(bytesSource('e', encodeSafetensors([])));
  assert.equal(file.tensors.length, 0);
});
