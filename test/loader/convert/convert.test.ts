// Each tiny model converted (F32 and Q8_0) and read back: names, shapes, types,
// metadata, values against the checkpoint, and a tokenizer from the GGUF that tokenizes
// as the directory's tokenizer.json does.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFileSource } from '../../../runtimes/node/file-source.ts';
import { nodeDirReader } from '../../../runtimes/node/dir-reader.ts';
import { permuteRopeRows } from '../../../src/loader/convert/index.ts';
import { modelConfigFromGguf } from '../../../src/loader/gguf-config.ts';
import { GgmlType, ggmlTypeName, metaNumber, metaString, readGguf, readTensorF32, type GgufFile } from '../../../src/loader/gguf/index.ts';
import { openHfModelDir, type HfModelDir } from '../../../src/loader/hf/index.ts';
import { tensorToF32 } from '../../../src/loader/safetensors/index.ts';
import { loadHfTokenizer, tokenizerFromGguf } from '../../../src/text/index.ts';
import { testModel, TINY_MODEL_NAMES } from '../../helpers/test-models.ts';
import { corpus } from '../../text/corpus.ts';

async function open(name: (typeof TINY_MODEL_NAMES)[number], type: string): Promise<{ gguf: GgufFile; hf: HfModelDir; close(): Promise<void> }> {
  const src = await openFileSource(await testModel(name, type));
  const dir = nodeDirReader(await testModel(name));
  return { gguf: await readGguf(src), hf: await openHfModelDir(dir), close: async () => { await src.close(); await dir.close(); } };
}

const EXPECT: Record<string, { arch: string; pre: string; tensors: number; extra: string[] }> = {
  // 2 layers × 9 + embd + output_norm + output + rope_freqs
  'tiny-llama': { arch: 'llama', pre: 'llama-bpe', tensors: 22, extra: ['rope_freqs.weight', 'output.weight'] },
  // 2 layers × (9 + 3 biases) + embd + output_norm; tied: no output.weight
  'tiny-qwen2': { arch: 'qwen2', pre: 'qwen2', tensors: 26, extra: ['blk.0.attn_q.bias', 'blk.1.attn_v.bias'] },
  // 2 layers × (9 + q/k norms) + embd + output_norm
  'tiny-qwen3': { arch: 'qwen3', pre: 'qwen2', tensors: 24, extra: ['blk.0.attn_q_norm.weight', 'blk.1.attn_k_norm.weight'] },
};

for (const name of TINY_MODEL_NAMES) {
  test(`${name}: F32 GGUF has llama.cpp's names, shapes and metadata, and the checkpoint's values`, async () => {
    const { gguf, hf, close } = await open(name, 'f32');
    try {
      const want = EXPECT[name];
      const m = gguf.metadata;
      assert.equal(metaString(m, 'general.architecture'), want.arch);
      assert.equal(metaString(m, 'tokenizer.ggml.pre'), want.pre);
      assert.equal(metaNumber(m, 'general.file_type'), 0);
      assert.equal(gguf.tensors.length, want.tensors);
      for (const t of want.extra) assert.ok(gguf.tensors.some((x) => x.name === t), t);
      if (name !== 'tiny-llama') assert.ok(!gguf.tensors.some((t) => t.name === 'output.weight'), 'tied: no output.weight');
      // The GGUF describes the same model as config.json.
      const fromGguf = modelConfigFromGguf(name, m, { tensorNames: gguf.tensors.map((t) => t.name) });
      const c = hf.config;
      for (const k of ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'tieWordEmbeddings', 'qkvBias', 'qkNorm', 'maxPositionEmbeddings'] as const) {
        assert.equal(fromGguf[k], c[k], k);
      }
      assert.equal(Math.fround(fromGguf.ropeTheta), Math.fround(c.ropeTheta));
      for (const t of gguf.tensors) assert.equal(t.type, GgmlType.F32, t.name);
      assert.equal(hf.tensors.tensors.size, gguf.tensors.filter((t) => t.name !== 'rope_freqs.weight').length);
      // Values: a permuted (llama) and an unpermuted tensor, byte for byte after f32 conversion.
      const layer = 'model.layers.1.self_attn.';
      for (const [hfName, ggufName] of [[`${layer}q_proj.weight`, 'blk.1.attn_q.weight'], [`${layer}k_proj.weight`, 'blk.1.attn_k.weight'], [`${layer}v_proj.weight`, 'blk.1.attn_v.weight']]) {
        const e = hf.tensors.tensors.get(hfName)!;
        let want = tensorToF32(e.dtype, await hf.tensors.read(e));
        const info = gguf.tensors.find((t) => t.name === ggufName)!;
        assert.deepEqual(info.dims, [...e.shape].reverse());
        if (name === 'tiny-llama' && !hfName.includes('v_proj')) {
          want = permuteRopeRows(want, hfName.includes('q_proj') ? c.numHeads : c.numKvHeads, e.shape[1]);
        }
        assert.deepEqual(await readTensorF32(gguf, info), want, ggufName);
      }
    } finally {
      await close();
    }
  });
}

test('Q8_0 conversion: 2-D weights Q8_0 where rows fit 32-blocks, F16 where not, 1-D F32; values close', async () => {
  const { gguf, hf, close } = await open('tiny-qwen2', 'q8_0');
  try {
    assert.equal(metaNumber(gguf.metadata, 'general.file_type'), 7);
    const types = Object.fromEntries(gguf.tensors.map((t) => [t.name, ggmlTypeName(t.type)]));
    assert.equal(types['token_embd.weight'], 'q8_0');
    assert.equal(types['blk.0.attn_q.weight'], 'q8_0');
    assert.equal(types['blk.0.ffn_down.weight'], 'f16'); // rows of 200: no whole 32-blocks
    assert.equal(types['blk.0.attn_q.bias'], 'f32');
    assert.equal(types['blk.0.attn_norm.weight'], 'f32');
    const e = hf.tensors.tensors.get('model.layers.0.mlp.gate_proj.weight')!;
    const want = tensorToF32(e.dtype, await hf.tensors.read(e));
    const got = await readTensorF32(gguf, 'blk.0.ffn_gate.weight');
    let err = 0, ref = 0;
    for (let i = 0; i < want.length; i++) { err += (got[i] - want[i]) ** 2; ref += want[i] ** 2; }
    assert.ok(Math.sqrt(err / ref) < 0.01, `relative RMS error ${Math.sqrt(err / ref)}`);
  } finally {
    await close();
  }
});

for (const name of TINY_MODEL_NAMES) {
  test(`${name}: the GGUF's tokenizer encodes the corpus as tokenizer.json does; chat template kept`, async () => {
    const dir = await testModel(name);
    const { gguf, close } = await open(name, 'f32');
    try {
      const read = (f: string) => readFile(join(dir, f), 'utf8');
      const config = JSON.parse(await read('tokenizer_config.json'));
      const hf = loadHfTokenizer({ tokenizerJson: await read('tokenizer.json'), tokenizerConfig: config });
      const ours = tokenizerFromGguf(gguf.metadata);
      for (const [label, text] of Object.entries(corpus)) assert.deepEqual(ours.encode(text), hf.encode(text), label);
      assert.equal(metaString(gguf.metadata, 'tokenizer.chat_template'), config.chat_template);
      assert.equal(ours.vocabSize, gguf.tensors.find((t) => t.name === 'token_embd.weight')!.dims[1]); // padding rows included
      assert.deepEqual([ours.special.eos, ours.addBos], [hf.special.eos, hf.addBos]);
    } finally {
      await close();
    }
  });
}
