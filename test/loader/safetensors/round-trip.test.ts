// Writer → reader round trips, and the writer's bytes against Hugging Face's own.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobSource, bytesSource } from '../../../src/loader/byte-source.ts';
import {
  encodeSafetensors, f32ToTensorBytes, planSafetensors, readSafetensors, readSafetensorsData, safetensorsChunks,
  dtypeSize, tensorToF32, type SafetensorsTensorInput,
} from '../../../src/loader/safetensors/index.ts';
import { roundF16 } from '../../../src/cpu/f16.ts';
import { sampleTensors } from './helpers.ts';

const f32Bytes = (v: number[]) => f32ToTensorBytes('F32', v);

test('writer output is byte-identical to HF safetensors serialize() (its own test vectors)', () => {
  // safetensors/src/tensor.rs test_serialization_forced_alignement: header padded with spaces.
  const attn0 = encodeSafetensors([{ name: 'attn0', dtype: 'F32', shape: [1, 1, 2, 3], data: f32Bytes([0, 1, 2, 3, 4, 5]) }]);
  const json = '{"attn0":{"dtype":"F32","shape":[1,1,2,3],"data_offsets":[0,24]}}';
  assert.equal(json.length, 65);
  const expected = [72, 0, 0, 0, 0, 0, 0, 0, ...new TextEncoder().encode(json), 32, 32, 32, 32, 32, 32, 32, ...f32Bytes([0, 1, 2, 3, 4, 5])];
  assert.deepEqual(Array.from(attn0), expected);
  // test_empty: no tensors, with and without __metadata__.
  assert.deepEqual(Array.from(encodeSafetensors([])), [8, 0, 0, 0, 0, 0, 0, 0, 123, 125, 32, 32, 32, 32, 32, 32]);
  const withMeta = encodeSafetensors([], { framework: 'pt' });
  assert.equal(new TextDecoder().decode(withMeta.subarray(8)), '{"__metadata__":{"framework":"pt"}}     ');
  assert.equal(withMeta[0], 40);
});

test('every dtype round-trips: dtype, shape, bytes, metadata', async () => {
  const tensors = sampleTensors();
  const bytes = encodeSafetensors(tensors, { format: 'pt' });
  const file = await readSafetensors(bytesSource('m.safetensors', bytes));
  assert.deepEqual(file.metadata, { format: 'pt' });
  assert.equal(file.headerSize % 8, 0);
  assert.equal(file.dataOffset, 8 + file.headerSize);
  assert.equal(file.tensors.length, tensors.length);
  for (const t of tensors) {
    const info = file.byName.get(t.name)!;
    assert.equal(info.dtype, t.dtype, t.name);
    assert.deepEqual(info.shape, t.shape, t.name);
    assert.equal(info.numElements, t.shape.reduce((a, b) => a * b, 1));
    assert.deepEqual(await readSafetensorsData(file, t.name), t.data, t.name);
    // HF ordering puts every tensor at a multiple of its element size.
    assert.equal(info.fileOffset % dtypeSize(info.dtype), 0, t.name);
  }
  assert.equal(bytes.length, file.dataOffset + tensors.reduce((a, t) => a + t.data.length, 0));
});

test('HF order: Dtype enum descending (I64, F32, I32, BF16, F16, U8, BOOL), then name', async () => {
  const file = await readSafetensors(bytesSource('m', encodeSafetensors(sampleTensors())));
  assert.deepEqual(file.tensors.map((t) => t.name), [
    'counts', 'model.layers.0.input_layernorm.weight', 'model.norm.weight', 'scalar', 'positions',
    'model.embed_tokens.weight', 'empty', 'model.layers.0.self_attn.q_proj.bias', 'model.layers.0.self_attn.q_proj.weight',
    'bytes', 'mask',
  ]);
});

test("order 'given' keeps the caller's order; integer-like names stay in place", async () => {
  const t = (name: string): SafetensorsTensorInput => ({ name, dtype: 'U8', shape: [1], data: new Uint8Array([name.length]) });
  const bytes = encodeSafetensors([t('b'), t('10'), t('a'), t('9')], {}, { order: 'given' });
  const file = await readSafetensors(bytesSource('m', bytes));
  assert.deepEqual(file.tensors.map((x) => x.name), ['b', '10', 'a', '9']);
  const text = new TextDecoder().decode(bytes.subarray(8, file.dataOffset));
  assert.ok(text.indexOf('"b"') < text.indexOf('"10"'), text);
});

test('partial tensor reads, unknown tensors, bad ranges', async () => {
  const tensors = sampleTensors();
  const file = await readSafetensors(bytesSource('m.safetensors', encodeSafetensors(tensors)));
  const q = tensors[1];
  assert.deepEqual(await readSafetensorsData(file, q.name, 4, 10), q.data.subarray(4, 14));
  assert.deepEqual(await readSafetensorsData(file, file.byName.get(q.name)!, 70), q.data.subarray(70));
  await assert.rejects(readSafetensorsData(file, q.name, 70, 3), /m.safetensors: bytes 70..73 are outside tensor/);
  await assert.rejects(readSafetensorsData(file, 'lm_head.weight'), (e: Error & { code?: string }) =>
    e.code === 'missing-tensor' && /m.safetensors: no tensor named 'lm_head.weight'/.test(e.message));
});

test('streamed chunks equal the encoded file; plan needs no data', () => {
  const tensors = sampleTensors();
  const whole = encodeSafetensors(tensors, { a: 'b' });
  const joined = new Uint8Array(whole.length);
  let at = 0;
  for (const c of safetensorsChunks(tensors, { a: 'b' })) {
    joined.set(c, at);
    at += c.length;
  }
  assert.equal(at, whole.length);
  assert.deepEqual(joined, whole);
  const plan = planSafetensors(tensors.map(({ name, dtype, shape }) => ({ name, dtype, shape })), { a: 'b' });
  assert.equal(plan.fileSize, whole.length);
  assert.deepEqual(plan.header, whole.subarray(0, plan.header.length));
});

test('writer rejects bad input', () => {
  const ok = { name: 'x', dtype: 'F32' as const, shape: [2], data: new Uint8Array(8) };
  assert.throws(() => encodeSafetensors([ok, ok]), /duplicate safetensors tensor name 'x'/);
  assert.throws(() => encodeSafetensors([{ ...ok, data: new Uint8Array(4) }]), /tensor 'x': F32 \[2\] needs 8 bytes, got 4/);
  assert.throws(() => encodeSafetensors([{ ...ok, dtype: 'Q4' as never }]), /unknown safetensors dtype Q4/);
  assert.throws(() => encodeSafetensors([{ ...ok, shape: [-1] }]), /bad shape/);
  assert.throws(() => encodeSafetensors([{ ...ok, name: '__metadata__' }]), /bad safetensors tensor name/);
});

test('F32/F16/BF16 value conversion', () => {
  const v = [0, 1, -2.5, 3.14159, 65504, 1e-7, -0];
  assert.deepEqual(tensorToF32('F32', f32ToTensorBytes('F32', v)), Float32Array.from(v));
  assert.deepEqual(tensorToF32('F16', f32ToTensorBytes('F16', v)), roundF16(v));
  // BF16 keeps the top 16 bits of the f32 (round to nearest even): 1.0 is 0x3f80.
  assert.deepEqual(Array.from(f32ToTensorBytes('BF16', [1, -2])), [0x80, 0x3f, 0x00, 0xc0]);
  const bf = tensorToF32('BF16', f32ToTensorBytes('BF16', [1, -2.5, 3.140625, 1 + 2 ** -9]));
  assert.deepEqual(Array.from(bf), [1, -2.5, 3.140625, 1]);
  assert.throws(() => tensorToF32('I32', new Uint8Array(4)), /not a float dtype/);
});

test('reads through a Blob source (browser File path)', async () => {
  const tensors = sampleTensors();
  const file = await readSafetensors(blobSource(new Blob([encodeSafetensors(tensors)]), 'picked.safetensors'));
  assert.equal(file.source.name, 'picked.safetensors');
  assert.deepEqual(await readSafetensorsData(file, tensors[0].name), tensors[0].data);
});
