// The reader must never pull a model file whole: parsing the header of a multi-GB file
// fetches about the header's size, and tensor bytes are fetched only when asked for.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobSource, type ByteSource } from '../../../src/loader/byte-source.ts';
import { encodeGguf, GgmlType, GgufValueType as V, kv, metaArray, planGguf, readGguf, readTensorData } from '../../../src/loader/gguf/index.ts';
import { counting } from './helpers.ts';

const VOCAB = Array.from({ length: 20000 }, (_, i) => `tok${i}`);
const SPECS = [
  { name: 'token_embd.weight', dims: [4096, 151936], type: GgmlType.Q4_K }, // ~350 MB
  { name: 'output_norm.weight', dims: [4096], type: GgmlType.F32 },
  { name: 'blk.0.ffn_up.weight', dims: [4096, 1 << 20], type: GgmlType.Q6_K }, // ~3.4 GB
];

/** A ~3.8 GB GGUF that exists only as its header: bytes past the header read as zeros. */
function hugeFile(): { src: ByteSource; headerSize: number; fileSize: number } {
  const meta: [string, ReturnType<typeof kv.u32>][] = [
    ['general.architecture', kv.string('llama')],
    ['tokenizer.ggml.tokens', kv.array(V.STRING, VOCAB)],
    ['tokenizer.ggml.scores', kv.array(V.FLOAT32, new Float32Array(VOCAB.length))],
  ];
  const plan = planGguf(meta, SPECS);
  const src: ByteSource = {
    name: 'huge.gguf',
    size: plan.fileSize,
    read: async (offset, length) => {
      const n = Math.min(length, plan.fileSize - offset);
      const out = new Uint8Array(n);
      if (offset < plan.header.length) out.set(plan.header.subarray(offset, offset + n));
      return out;
    },
  };
  return { src, headerSize: plan.header.length, fileSize: plan.fileSize };
}

for (const chunkSize of [4096, 64 << 10, undefined]) {
  test(`gguf header of a ${'~3.8 GB'} file reads a bounded number of bytes (chunk ${chunkSize ?? 'default 1 MiB'})`, async () => {
    const { src, headerSize, fileSize } = hugeFile();
    const c = counting(src);
    const file = await readGguf(c, chunkSize ? { chunkSize } : {});
    assert.ok(fileSize > 3.5e9);
    assert.equal(file.tensors.length, 3);
    assert.equal(metaArray(file.metadata, 'tokenizer.ggml.tokens')!.items[19999], 'tok19999');
    const limit = headerSize + (chunkSize ?? 1 << 20);
    assert.ok(c.bytesRead <= limit, `read ${c.bytesRead} bytes for a ${headerSize}-byte header`);
    assert.ok(c.reads <= Math.ceil(headerSize / (chunkSize ?? 1 << 20)) + 2, `${c.reads} reads`);
    // One tensor's bytes are exactly one read of exactly its size.
    const before = c.bytesRead;
    const norm = file.tensors[1];
    const data = await readTensorData(file, norm);
    assert.equal(data.length, 4096 * 4);
    assert.equal(c.bytesRead - before, norm.byteSize);
  });
}

test('gguf through a Blob source (browser File path)', async () => {
  const data = new Uint8Array(new Float32Array([1, 2, 3, 4]).buffer);
  const bytes = encodeGguf([['general.name', kv.string('blob')]], [{ name: 'x', dims: [4], type: GgmlType.F32, data }]);
  const file = await readGguf(blobSource(new Blob([bytes]), 'picked.gguf'));
  assert.equal(file.source.name, 'picked.gguf');
  assert.deepEqual(await readTensorData(file, 'x'), data);
  await assert.rejects(readGguf(blobSource(new Blob([bytes.subarray(0, 30)]), 'cut.gguf')), /cut.gguf: truncated/);
});
