// The tiny test models' specs: configs that parse, weights that match them, bytes that
// never change without a version bump.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { hfConfigToModelConfig } from '../../../src/loader/hf/index.ts';
import { TINY_MODELS, TINY_MODELS_VERSION, tinyModelTensors } from '../../../src/loader/testing/tiny-models.ts';
import { tinyTensorValues } from '../../../src/loader/testing/tiny-weights.ts';

test('each config parses; GQA everywhere; one model with dimensions that are not powers of two', () => {
  const pow2 = (n: number) => (n & (n - 1)) === 0;
  const configs = TINY_MODELS.map((m) => hfConfigToModelConfig(m.name, m.config));
  assert.deepEqual(configs.map((c) => c.family), ['llama', 'qwen2', 'qwen3']);
  for (const c of configs) assert.ok(c.numKvHeads < c.numHeads, `${c.architecture}: GQA`);
  assert.ok(configs.some((c) => !pow2(c.hiddenSize) && !pow2(c.intermediateSize) && !pow2(c.numHeads)));
  assert.ok(configs.some((c) => c.headDim * c.numHeads !== c.hiddenSize), 'a head_dim that is not hidden/heads');
  assert.deepEqual(configs.map((c) => c.vocabSize), [128256, 151936, 151936]);
  assert.deepEqual(configs.map((c) => [c.qkvBias, c.qkNorm, c.tieWordEmbeddings]), [[false, false, false], [true, false, true], [false, true, true]]);
});

test('weights have the shapes the config implies', () => {
  for (const m of TINY_MODELS) {
    const c = hfConfigToModelConfig(m.name, m.config);
    const t = new Map(tinyModelTensors(m).map((x) => [x.name, x.shape]));
    assert.deepEqual(t.get('model.embed_tokens.weight'), [c.vocabSize, c.hiddenSize]);
    assert.deepEqual(t.get('model.layers.1.self_attn.q_proj.weight'), [c.numHeads * c.headDim, c.hiddenSize]);
    assert.deepEqual(t.get('model.layers.1.self_attn.k_proj.weight'), [c.numKvHeads * c.headDim, c.hiddenSize]);
    assert.deepEqual(t.get('model.layers.0.mlp.down_proj.weight'), [c.hiddenSize, c.intermediateSize]);
    assert.equal(t.has('lm_head.weight'), !c.tieWordEmbeddings);
    assert.equal(t.size, 1 + c.numLayers * (9 + (c.qkvBias ? 3 : 0) + (c.qkNorm ? 2 : 0)) + 1 + (c.tieWordEmbeddings ? 0 : 1));
  }
});

test('weights are deterministic and well scaled (a change here needs a TINY_MODELS_VERSION bump)', () => {
  const spec = TINY_MODELS[1];
  const q = tinyModelTensors(spec).find((t) => t.name === 'model.layers.0.self_attn.q_proj.weight')!;
  const a = tinyTensorValues(q, spec.seed);
  assert.deepEqual(tinyTensorValues(q, spec.seed), a);
  const std = Math.sqrt(a.reduce((s, v) => s + v * v, 0) / a.length);
  assert.ok(Math.abs(std - 1 / Math.sqrt(96)) < 0.01, `std ${std}`);
  const norm = tinyTensorValues(tinyModelTensors(spec).find((t) => t.name === 'model.norm.weight')!, spec.seed);
  assert.ok(norm.every((v) => v > 0.5 && v < 1.5));
  const digest = createHash('sha256').update(new Uint8Array(a.buffer)).digest('hex').slice(0, 16);
  assert.deepEqual([TINY_MODELS_VERSION, digest], [1, GOLDEN]);
});

const GOLDEN = '88841576ff9247b0';
