// Tensor names, llama3 rope factors and the hyperparameter keys of a conversion.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blockOf, ggufTensorName, hparamsMetadata, llama3RopeFactors } from '../../../src/loader/convert/index.ts';
import { hfConfigToModelConfig } from '../../../src/loader/hf/index.ts';

test('HF tensor names map to GGUF names; rotary buffers are dropped; unknown names are undefined', () => {
  const cases: Record<string, string | null | undefined> = {
    'model.embed_tokens.weight': 'token_embd.weight',
    'model.norm.weight': 'output_norm.weight',
    'lm_head.weight': 'output.weight',
    'model.layers.0.input_layernorm.weight': 'blk.0.attn_norm.weight',
    'model.layers.11.self_attn.q_proj.bias': 'blk.11.attn_q.bias',
    'model.layers.3.self_attn.o_proj.weight': 'blk.3.attn_output.weight',
    'model.layers.3.self_attn.k_norm.weight': 'blk.3.attn_k_norm.weight',
    'model.layers.2.post_attention_layernorm.weight': 'blk.2.ffn_norm.weight',
    'model.layers.2.mlp.down_proj.weight': 'blk.2.ffn_down.weight',
    'model.layers.0.self_attn.rotary_emb.inv_freq': null,
    'model.layers.0.mlp.experts.0.w1.weight': undefined,
    'vision_tower.patch_embed.weight': undefined,
  };
  for (const [hf, gguf] of Object.entries(cases)) assert.equal(ggufTensorName(hf), gguf, hf);
  assert.equal(blockOf('blk.11.attn_q.bias'), 11);
  assert.equal(blockOf('output.weight'), undefined);
});

test('llama3 rope factors: 1 for short wavelengths, the factor for long ones, smooth between', () => {
  // Llama 3.1 8B: theta 500000, head_dim 128, factor 8, low 1, high 4, original 8192.
  const f = llama3RopeFactors(500000, 128, { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositionEmbeddings: 8192 });
  assert.equal(f.length, 64);
  assert.equal(f[0], 1);
  assert.equal(f[63], 8);
  const between = [...f].filter((v) => v > 1 && v < 8);
  assert.ok(between.length > 0 && between.length < 20, `${between.length} smoothed factors`);
  for (let i = 1; i < f.length; i++) assert.ok(f[i] >= f[i - 1], 'factors grow with wavelength');
});

const keys = (raw: Record<string, unknown>) => {
  const meta = hparamsMetadata({ config: hfConfigToModelConfig('config.json', raw), rawConfig: raw, name: 'x', fileType: 1 });
  return Object.fromEntries(meta.map(([k, v]) => [k, v.value]));
};

test('hyperparameter keys per architecture, as llama.cpp names and orders them', () => {
  const base = { hidden_size: 64, intermediate_size: 128, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, vocab_size: 1000, rms_norm_eps: 1e-5 };
  const llama = keys({ ...base, architectures: ['MistralForCausalLM'], rope_theta: 1e6, sliding_window: null });
  assert.equal(llama['general.architecture'], 'llama'); // llama.cpp stores Mistral as llama
  assert.equal(llama['llama.vocab_size'], 1000);
  assert.equal(llama['llama.rope.dimension_count'], 16);
  assert.equal(llama['llama.rope.freq_base'], 1e6);
  assert.equal(llama['llama.attention.key_length'], undefined);
  assert.equal(llama['general.file_type'], 1);
  assert.equal(llama['general.quantization_version'], 2);

  const qwen3 = keys({ ...base, architectures: ['Qwen3ForCausalLM'], head_dim: 32 });
  assert.equal(qwen3['qwen3.attention.key_length'], 32);
  assert.equal(qwen3['qwen3.attention.value_length'], 32);
  assert.equal(qwen3['qwen3.vocab_size'], undefined);
  assert.equal(qwen3['qwen3.context_length'], 32768); // Qwen3Config's default max_position_embeddings

  const yarn = keys({ ...base, architectures: ['Qwen2ForCausalLM'], rope_scaling: { type: 'yarn', factor: 4, original_max_position_embeddings: 32768 } });
  assert.equal(yarn['qwen2.rope.scaling.type'], 'yarn');
  assert.equal(yarn['qwen2.rope.scaling.factor'], 4);
  assert.equal(yarn['qwen2.rope.scaling.original_context_length'], 32768);
  assert.equal(yarn['qwen2.rope.scaling.yarn_beta_fast'], undefined);
  const linear = keys({ ...base, architectures: ['LlamaForCausalLM'], rope_scaling: { rope_type: 'linear', factor: 2 } });
  assert.deepEqual([linear['llama.rope.scaling.type'], linear['llama.rope.scaling.factor']], ['linear', 2]);
});
