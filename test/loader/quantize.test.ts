// `basert quantize`'s choices (llama-quantize's rules) and its output: types per tensor,
// metadata, and dequantized weights close to the F32 originals.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { openFileSource, type FileSource } from '../../runtimes/node/file-source.ts';
import { GgmlType, ggmlTypeName, metaNumber, readGguf, readTensorF32, type GgufFile } from '../../src/loader/gguf/index.ts';
import { fileTypeByName, planTensorTypes, type TensorShape } from '../../src/loader/quantize-rules.ts';
import { planQuantize } from '../../src/loader/quantize.ts';
import { testModel } from '../helpers/test-models.ts';

/** A Llama-shaped model's tensors (ggml dims), rows of `width`. */
function shapes(layers: number, width: number, tied = false): TensorShape[] {
  const out: TensorShape[] = [{ name: 'token_embd.weight', dims: [width, 1000] }];
  for (let i = 0; i < layers; i++) {
    for (const n of ['attn_q', 'attn_k', 'attn_v', 'attn_output', 'ffn_gate', 'ffn_up']) out.push({ name: `blk.${i}.${n}.weight`, dims: [width, width] });
    out.push({ name: `blk.${i}.ffn_down.weight`, dims: [width, width] }, { name: `blk.${i}.attn_norm.weight`, dims: [width] });
  }
  out.push({ name: 'output_norm.weight', dims: [width] });
  if (!tied) out.push({ name: 'output.weight', dims: [width, 1000] });
  return out;
}

function types(t: TensorShape[], type: string, pure = false): Record<string, string> {
  const plan = planTensorTypes(t, fileTypeByName(type)!, t.filter((x) => x.name.endsWith('ffn_down.weight')).length, pure);
  return Object.fromEntries([...plan].map(([k, v]) => [k, v === null ? 'kept' : ggmlTypeName(v)]));
}

test('Q4_K_M: Q6_K output and the use_more_bits layers of attn_v / ffn_down, Q4_K elsewhere', () => {
  const t = types(shapes(8, 256), 'Q4_K_M');
  assert.equal(t['output.weight'], 'q6_K');
  assert.equal(t['token_embd.weight'], 'q4_K');
  const more = [0, 3, 6, 7]; // i < n/8, i >= 7n/8, (i - n/8) % 3 == 2 for n = 8
  for (let i = 0; i < 8; i++) {
    const want = more.includes(i) ? 'q6_K' : 'q4_K';
    assert.equal(t[`blk.${i}.attn_v.weight`], want, `attn_v ${i}`);
    assert.equal(t[`blk.${i}.ffn_down.weight`], want, `ffn_down ${i}`);
    assert.equal(t[`blk.${i}.attn_q.weight`], 'q4_K');
    assert.equal(t[`blk.${i}.attn_norm.weight`], 'kept');
  }
  assert.equal(types(shapes(8, 256, true), 'Q4_K')['token_embd.weight'], 'q6_K'); // tied: embeddings are the output
});

test('Q4_K_S, Q4_0, Q8_0, F16 and --pure', () => {
  const s = types(shapes(8, 256), 'Q4_K_S');
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => s[`blk.${i}.attn_v.weight`]), ['q5_K', 'q5_K', 'q5_K', 'q5_K', 'q4_K']);
  assert.deepEqual([0, 1].map((i) => s[`blk.${i}.ffn_down.weight`]), ['q5_K', 'q4_K']);
  const q4 = types(shapes(2, 256), 'Q4_0');
  assert.deepEqual([q4['output.weight'], q4['blk.1.ffn_down.weight'], q4['token_embd.weight']], ['q6_K', 'q4_0', 'q4_0']);
  assert.equal(types(shapes(2, 256), 'Q8_0')['output.weight'], 'q8_0');
  const f16 = types(shapes(2, 256), 'F16');
  assert.deepEqual([f16['output.weight'], f16['blk.0.attn_v.weight'], f16['output_norm.weight']], ['f16', 'f16', 'kept']);
  const pure = types(shapes(8, 256), 'Q4_K_M', true);
  assert.deepEqual([pure['output.weight'], pure['blk.0.attn_v.weight']], ['q4_K', 'q4_K']);
});

test('rows that do not fit a block fall back: Q4_K -> Q5_0, Q6_K -> Q8_0, else F16', () => {
  const t = types([...shapes(2, 96), { name: 'blk.0.odd.weight', dims: [200, 8] }], 'Q4_K_M');
  assert.equal(t['blk.0.attn_q.weight'], 'q5_0');
  assert.equal(t['blk.1.attn_v.weight'], 'q8_0'); // Q6_K wanted
  assert.equal(t['output.weight'], 'q8_0'); // rows not a multiple of 256
  assert.equal(t['blk.0.odd.weight'], 'f16');
  assert.equal(types([{ name: 'x.weight', dims: [200, 4] }], 'Q8_0')['x.weight'], 'f16');
});

async function open(path: string): Promise<{ file: GgufFile; src: FileSource }> {
  const src = await openFileSource(path);
  return { file: await readGguf(src), src };
}

function relRms(got: Float32Array, want: Float32Array): number {
  let e = 0, r = 0;
  for (let i = 0; i < want.length; i++) { e += (got[i] - want[i]) ** 2; r += want[i] ** 2; }
  return Math.sqrt(e / r);
}

// Relative RMS error of a dequantized weight, per type (random normal weights).
const MAX_ERROR: Record<string, number> = { q8_0: 0.01, q6_K: 0.03, q5_0: 0.06, q4_K: 0.1, q4_0: 0.13, f16: 0.001 };

for (const [name, type] of [['tiny-qwen3', 'Q4_K_M'], ['tiny-qwen2', 'Q4_0'], ['tiny-llama', 'Q6_K']] as const) {
  test(`${name} ${type}: metadata updated, every tensor dequantizes close to the F32 original`, async () => {
    const f32 = await open(await testModel(name, 'f32'));
    const q = await open(await testModel(name, type));
    try {
      assert.equal(metaNumber(q.file.metadata, 'general.file_type'), fileTypeByName(type)!.fileType);
      assert.deepEqual([...q.file.metadata.keys()], [...f32.file.metadata.keys()]);
      const seen = new Set<string>();
      for (const t of q.file.tensors) {
        const orig = f32.file.tensors.find((x) => x.name === t.name)!;
        assert.deepEqual(t.dims, orig.dims);
        const [got, want] = [await readTensorF32(q.file, t), await readTensorF32(f32.file, orig)];
        if (t.type === GgmlType.F32) assert.deepEqual(got, want, t.name);
        else assert.ok(relRms(got, want) < MAX_ERROR[ggmlTypeName(t.type)], `${t.name} (${ggmlTypeName(t.type)}): ${relRms(got, want)}`);
        seen.add(ggmlTypeName(t.type));
      }
      console.log(`# ${name} ${type}: ${[...seen].join(', ')}`);
    } finally {
      await f32.src.close();
      await q.src.close();
    }
  });
}

test('tiny-qwen3 Q4_K_M: K-quants where rows are 256 wide, the fallbacks elsewhere', async () => {
  const { file, src } = await open(await testModel('tiny-qwen3', 'Q4_K_M'));
  await src.close();
  const t = Object.fromEntries(file.tensors.map((x) => [x.name, ggmlTypeName(x.type)]));
  // Rows of 256: o_proj (8 heads x 32) and ffn_down; of 64: the rest. Layer 1 of 2 is a use_more_bits layer.
  assert.deepEqual([t['blk.0.attn_output.weight'], t['blk.1.attn_output.weight']], ['q4_K', 'q4_K']);
  assert.deepEqual([t['blk.0.ffn_down.weight'], t['blk.1.ffn_down.weight']], ['q4_K', 'q6_K']);
  assert.deepEqual([t['blk.0.attn_v.weight'], t['blk.1.attn_v.weight']], ['q5_0', 'q8_0']); // Q4_K, Q6_K wanted
  assert.equal(t['token_embd.weight'], 'q8_0'); // tied output, 64 wide: Q8_0 instead of Q6_K
  assert.equal(t['blk.0.attn_q_norm.weight'], 'f32');
});

test('requantizing needs allowRequantize; unknown types are refused', async () => {
  const { file, src } = await open(await testModel('tiny-qwen3', 'Q4_K_M'));
  try {
    assert.throws(() => planQuantize(file, 'Q8_0'), /already q\w+; requantizing loses quality/);
    const plan = planQuantize(file, 'Q8_0', { allowRequantize: true });
    assert.equal(plan.tensors.find((t) => t.name === 'blk.0.attn_output.weight')!.type, GgmlType.Q8_0);
    assert.throws(() => planQuantize(file, 'Q3_K_M'), /unknown quantization type 'Q3_K_M'/);
  } finally {
    await src.close();
  }
});
