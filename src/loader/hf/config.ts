// config.json → ModelConfig for the Llama-family decoders basert runs. Fields a config
// leaves out take transformers' defaults for that class (LlamaConfig, Qwen2Config, ...).
import { LoaderError } from '../loader-error.ts';
import { checkModelConfig, type ModelConfig, type ModelFamily } from '../model-config.ts';
import { JsonFields, parseJsonObject, type JsonObject } from './json-fields.ts';
import { parseHfRope } from './rope.ts';

/** HF model class → family. */
export const HF_ARCHITECTURES: Readonly<Record<string, ModelFamily>> = {
  LlamaForCausalLM: 'llama',
  Qwen2ForCausalLM: 'qwen2',
  Qwen3ForCausalLM: 'qwen3',
  MistralForCausalLM: 'mistral',
};

/** transformers' per-class defaults for fields configs sometimes omit. */
const FAMILY_DEFAULTS: Record<ModelFamily, { maxPositions: number; headDim?: number }> = {
  llama: { maxPositions: 2048 },
  qwen2: { maxPositions: 32768 },
  qwen3: { maxPositions: 32768, headDim: 128 },
  mistral: { maxPositions: 4096 * 32 },
};

function architectureOf(f: JsonFields): [string, ModelFamily] {
  const archs = f.obj.architectures;
  if (archs !== undefined && archs !== null && !(Array.isArray(archs) && archs.every((a) => typeof a === 'string'))) {
    f.fail('architectures', 'a list of class names');
  }
  const named = (archs as string[] | undefined | null) ?? [];
  const found = named.find((a) => Object.hasOwn(HF_ARCHITECTURES, a));
  if (found) return [found, HF_ARCHITECTURES[found]];
  const modelType = f.str('model_type');
  const byType = Object.entries(HF_ARCHITECTURES).find(([, fam]) => fam === modelType);
  if (named.length === 0 && byType) return byType;
  const what = named.length ? `architecture ${named.join(', ')}` : modelType ? `model_type "${modelType}"` : 'no "architectures" or "model_type"';
  throw new LoaderError('unsupported', f.file, `${what}: basert supports ${Object.keys(HF_ARCHITECTURES).join(', ')}`);
}

function slidingWindowOf(f: JsonFields, family: ModelFamily): number | null {
  if (family === 'mistral') return f.int('sliding_window') ?? null;
  if ((family === 'qwen2' || family === 'qwen3') && f.bool('use_sliding_window', false)) {
    // Qwen applies the window only to layers ≥ max_window_layers; basert has no per-layer windows.
    throw new LoaderError('unsupported', f.file, '"use_sliding_window": true (per-layer sliding-window attention) is not supported');
  }
  return null;
}

/** A parsed config.json object → ModelConfig; `file` is what errors name. */
export function hfConfigToModelConfig(file: string, raw: JsonObject): ModelConfig {
  const f = new JsonFields(file, raw);
  const [architecture, family] = architectureOf(f);
  const defaults = FAMILY_DEFAULTS[family];
  const hiddenSize = f.count('hidden_size');
  const numHeads = f.count('num_attention_heads');
  const headDim = f.int('head_dim') ?? defaults.headDim ?? hiddenSize / numHeads;
  const rope = parseHfRope(f);
  const attentionBias = f.bool('attention_bias', false);
  const eos = f.tokenIds('eos_token_id');
  const bos = f.tokenIds('bos_token_id');
  return checkModelConfig({
    architecture,
    family,
    vocabSize: f.count('vocab_size'),
    hiddenSize,
    intermediateSize: f.count('intermediate_size'),
    numLayers: f.count('num_hidden_layers'),
    numHeads,
    numKvHeads: f.int('num_key_value_heads') ?? numHeads,
    headDim,
    rmsNormEps: f.num('rms_norm_eps', 1e-6),
    ropeTheta: rope.theta,
    ropeDim: Math.floor(headDim * f.num('partial_rotary_factor', 1)),
    ropeScaling: rope.scaling,
    maxPositionEmbeddings: f.int('max_position_embeddings', defaults.maxPositions),
    tieWordEmbeddings: f.bool('tie_word_embeddings', false),
    // Qwen2 hard-codes bias on q/k/v (none on o); Mistral has none; Llama/Qwen3 follow attention_bias.
    qkvBias: family === 'qwen2' || (family !== 'mistral' && attentionBias),
    oBias: family !== 'qwen2' && family !== 'mistral' && attentionBias,
    mlpBias: family === 'llama' && f.bool('mlp_bias', false),
    qkNorm: family === 'qwen3',
    slidingWindow: slidingWindowOf(f, family),
    bosTokenId: bos[0] ?? null,
    eosTokenIds: eos,
    dtype: f.str('torch_dtype') ?? f.str('dtype') ?? null,
  }, file);
}

/** config.json's text → ModelConfig. */
export function parseHfConfig(file: string, text: string): ModelConfig {
  return hfConfigToModelConfig(file, parseJsonObject(file, text));
}
