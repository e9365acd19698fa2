// config.json → ModelConfig for each supported architecture, from real checkpoints'
// configs, plus the variants and mistakes a loader meets in the wild.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseHfConfig } from '../../../src/loader/hf/index.ts';
import { LoaderError, type LoaderErrorCode } from '../../../src/loader/loader-error.ts';
import type { ModelConfig } from '../../../src/loader/model-config.ts';
import { LLAMA32_1B_CONFIG, MISTRAL_7B_CONFIG, MISTRAL_7B_V03_CONFIG, QWEN25_05B_CONFIG, QWEN3_06B_CONFIG } from './configs.ts';

const EXPECTED: Record<string, [string, ModelConfig]> = {
  'Qwen2.5-0.5B': [QWEN25_05B_CONFIG, {
    architecture: 'Qwen2ForCausalLM', family: 'qwen2', vocabSize: 151936, hiddenSize: 896, intermediateSize: 4864,
    numLayers: 24, numHeads: 14, numKvHeads: 2, headDim: 64, rmsNormEps: 1e-6, ropeTheta: 1e6, ropeDim: 64, ropeScaling: null,
    maxPositionEmbeddings: 32768, tieWordEmbeddings: true, qkvBias: true, oBias: false, mlpBias: false, qkNorm: false,
    slidingWindow: null, bosTokenId: 151643, eosTokenIds: [151645], dtype: 'bfloat16',
  }],
  'Qwen3-0.6B': [QWEN3_06B_CONFIG, {
    architecture: 'Qwen3ForCausalLM', family: 'qwen3', vocabSize: 151936, hiddenSize: 1024, intermediateSize: 3072,
    numLayers: 28, numHeads: 16, numKvHeads: 8, headDim: 128, rmsNormEps: 1e-6, ropeTheta: 1e6, ropeDim: 128, ropeScaling: null,
    maxPositionEmbeddings: 40960, tieWordEmbeddings: true, qkvBias: false, oBias: false, mlpBias: false, qkNorm: true,
    slidingWindow: null, bosTokenId: 151643, eosTokenIds: [151645], dtype: 'bfloat16',
  }],
  'Llama-3.2-1B-Instruct': [LLAMA32_1B_CONFIG, {
    architecture: 'LlamaForCausalLM', family: 'llama', vocabSize: 128256, hiddenSize: 2048, intermediateSize: 8192,
    numLayers: 16, numHeads: 32, numKvHeads: 8, headDim: 64, rmsNormEps: 1e-5, ropeTheta: 500000, ropeDim: 64,
    ropeScaling: { type: 'llama3', factor: 32, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 },
    maxPositionEmbeddings: 131072, tieWordEmbeddings: true, qkvBias: false, oBias: false, mlpBias: false, qkNorm: false,
    slidingWindow: null, bosTokenId: 128000, eosTokenIds: [128001, 128008, 128009], dtype: 'bfloat16',
  }],
  'Mistral-7B-v0.1': [MISTRAL_7B_CONFIG, {
    architecture: 'MistralForCausalLM', family: 'mistral', vocabSize: 32000, hiddenSize: 4096, intermediateSize: 14336,
    numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128, rmsNormEps: 1e-5, ropeTheta: 10000, ropeDim: 128, ropeScaling: null,
    maxPositionEmbeddings: 32768, tieWordEmbeddings: false, qkvBias: false, oBias: false, mlpBias: false, qkNorm: false,
    slidingWindow: 4096, bosTokenId: 1, eosTokenIds: [2], dtype: 'bfloat16',
  }],
};

for (const [name, [text, expected]] of Object.entries(EXPECTED)) {
  test(`config.json of ${name}`, () => {
    assert.deepEqual(parseHfConfig('config.json', text), expected);
  });
}

const withChanges = (text: string, changes: Record<string, unknown>, drop: string[] = []) => {
  const o = { ...JSON.parse(text), ...changes };
  for (const k of drop) delete o[k];
  return JSON.stringify(o);
};

test('Mistral v0.3: no sliding window, rope_theta 1e6', () => {
  const c = parseHfConfig('config.json', MISTRAL_7B_V03_CONFIG);
  assert.equal(c.slidingWindow, null);
  assert.equal(c.ropeTheta, 1e6);
  assert.equal(c.vocabSize, 32768);
});

test('defaults: no num_key_value_heads → heads; no head_dim → hidden/heads (Qwen3: 128); no rope_theta → 10000', () => {
  const c = parseHfConfig('c', withChanges(MISTRAL_7B_CONFIG, {}, ['num_key_value_heads', 'rope_theta', 'max_position_embeddings', 'rms_norm_eps', 'tie_word_embeddings']));
  assert.equal(c.numKvHeads, 32);
  assert.equal(c.headDim, 128);
  assert.equal(c.ropeTheta, 10000);
  assert.equal(c.maxPositionEmbeddings, 131072);
  assert.equal(c.rmsNormEps, 1e-6);
  assert.equal(c.tieWordEmbeddings, false);
  const q3 = parseHfConfig('c', withChanges(QWEN3_06B_CONFIG, {}, ['head_dim']));
  assert.equal(q3.headDim, 128);
  const llama = parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, {}, ['head_dim', 'eos_token_id', 'bos_token_id', 'torch_dtype']));
  assert.equal(llama.headDim, 64);
  assert.deepEqual(llama.eosTokenIds, []);
  assert.equal(llama.bosTokenId, null);
  assert.equal(llama.dtype, null);
});

test('Llama attention_bias / mlp_bias; Qwen3 attention_bias; partial rotary', () => {
  const l = parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, { attention_bias: true, mlp_bias: true }));
  assert.deepEqual([l.qkvBias, l.oBias, l.mlpBias], [true, true, true]);
  const q = parseHfConfig('c', withChanges(QWEN3_06B_CONFIG, { attention_bias: true }));
  assert.deepEqual([q.qkvBias, q.oBias, q.qkNorm], [true, true, true]);
  assert.equal(parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, { partial_rotary_factor: 0.5 })).ropeDim, 32);
});

test('rope scaling: yarn (Qwen2.5 long context), linear, old "type" key, "default", transformers 5 rope_parameters', () => {
  const yarn = parseHfConfig('c', withChanges(QWEN25_05B_CONFIG, { rope_scaling: { factor: 4.0, original_max_position_embeddings: 32768, type: 'yarn' } }));
  assert.deepEqual(yarn.ropeScaling, { type: 'yarn', factor: 4, originalMaxPositionEmbeddings: 32768, betaFast: 32, betaSlow: 1, attentionFactor: null });
  const yarn2 = parseHfConfig('c', withChanges(QWEN3_06B_CONFIG, { rope_scaling: { rope_type: 'yarn', factor: 2, beta_fast: 16, attention_factor: 1.2 } }));
  assert.deepEqual(yarn2.ropeScaling, { type: 'yarn', factor: 2, originalMaxPositionEmbeddings: null, betaFast: 16, betaSlow: 1, attentionFactor: 1.2 });
  const linear = parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, { rope_scaling: { type: 'linear', factor: 2.0 } }));
  assert.deepEqual(linear.ropeScaling, { type: 'linear', factor: 2 });
  assert.equal(parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, { rope_scaling: { rope_type: 'default' } })).ropeScaling, null);
  const v5 = parseHfConfig('c', withChanges(LLAMA32_1B_CONFIG, {
    rope_parameters: { rope_type: 'llama3', rope_theta: 500000.0, factor: 32.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192 },
  }, ['rope_scaling', 'rope_theta']));
  assert.equal(v5.ropeTheta, 500000);
  assert.deepEqual(v5.ropeScaling, EXPECTED['Llama-3.2-1B-Instruct'][1].ropeScaling);
  const v5plain = parseHfConfig('c', withChanges(QWEN3_06B_CONFIG, { rope_parameters: { rope_type: 'default', rope_theta: 1000000 } }, ['rope_scaling', 'rope_theta']));
  assert.equal(v5plain.ropeTheta, 1e6);
  assert.equal(v5plain.ropeScaling, null);
});

test('architecture from model_type when "architectures" is absent', () => {
  const c = parseHfConfig('c', withChanges(QWEN3_06B_CONFIG, {}, ['architectures']));
  assert.equal(c.architecture, 'Qwen3ForCausalLM');
  assert.equal(c.family, 'qwen3');
});

const BAD: Record<string, [string, LoaderErrorCode, RegExp]> = {
  'unsupported architecture': [withChanges(LLAMA32_1B_CONFIG, { architectures: ['GemmaForCausalLM'], model_type: 'gemma' }), 'unsupported',
    /architecture GemmaForCausalLM: basert supports LlamaForCausalLM, Qwen2ForCausalLM, Qwen3ForCausalLM, MistralForCausalLM/],
  'unsupported model_type, no architectures': [withChanges(LLAMA32_1B_CONFIG, { model_type: 'phi3' }, ['architectures']), 'unsupported', /model_type "phi3"/],
  'nothing says the architecture': [withChanges(LLAMA32_1B_CONFIG, {}, ['architectures', 'model_type']), 'unsupported', /no "architectures" or "model_type"/],
  'unsupported rope scaling': [withChanges(LLAMA32_1B_CONFIG, { rope_scaling: { rope_type: 'longrope', factor: 2 } }), 'unsupported', /RoPE scaling type "longrope" is not supported/],
  'llama3 scaling without its factors': [withChanges(LLAMA32_1B_CONFIG, { rope_scaling: { rope_type: 'llama3', factor: 8 } }), 'bad-config', /"rope_scaling.low_freq_factor" is missing/],
  'Qwen sliding window on': [withChanges(QWEN25_05B_CONFIG, { use_sliding_window: true }), 'unsupported', /use_sliding_window/],
  'missing hidden_size': [withChanges(QWEN3_06B_CONFIG, {}, ['hidden_size']), 'bad-config', /"hidden_size" is missing/],
  'string where a number goes': [withChanges(QWEN3_06B_CONFIG, { num_hidden_layers: '28' }), 'bad-config', /"num_hidden_layers" must be a non-negative integer, got "28"/],
  'heads not a multiple of kv heads': [withChanges(QWEN3_06B_CONFIG, { num_key_value_heads: 5 }), 'bad-config', /16 attention heads are not a multiple of 5 key\/value heads/],
  'hidden not divisible by heads, no head_dim': [withChanges(MISTRAL_7B_CONFIG, { hidden_size: 4000, num_attention_heads: 48, num_key_value_heads: 8 }), 'bad-config', /headDim must be a positive integer/],
  'zero layers': [withChanges(QWEN3_06B_CONFIG, { num_hidden_layers: 0 }), 'bad-config', /numLayers must be a positive integer, got 0/],
  'eos not a token id': [withChanges(QWEN3_06B_CONFIG, { eos_token_id: ['<|im_end|>'] }), 'bad-config', /"eos_token_id" must be a token id or a list of token ids/],
  'architectures not a list': [withChanges(QWEN3_06B_CONFIG, { architectures: 'Qwen3ForCausalLM' }), 'bad-config', /"architectures" must be a list of class names/],
  'not JSON': ['{"architectures": [', 'bad-config', /not valid JSON/],
  'not an object': ['null', 'bad-config', /not a JSON object/],
};

for (const [name, [text, code, re]] of Object.entries(BAD)) {
  test(`bad config.json: ${name}`, () => {
    assert.throws(() => parseHfConfig('/models/m/config.json', text), (e: unknown) => {
      assert.ok(e instanceof LoaderError, String(e));
      assert.equal(e.code, code, e.message);
      assert.ok(e.message.startsWith('/models/m/config.json: '), e.message);
      assert.match(e.message, re);
      return true;
    });
  });
}
