// GGUF model metadata for a converted checkpoint, key for key as llama.cpp's converter
// writes it (TextModel.set_gguf_parameters, plus LlamaModel's vocab_size and
// rope.dimension_count): general.*, then {arch}.* hyperparameters, general.file_type and
// general.quantization_version. Tokenizer keys follow (tokenizer-metadata.ts).
import { kv, type GgufKv } from '../gguf/index.ts';
import type { JsonObject } from '../hf/json-fields.ts';
import type { ModelConfig, ModelFamily } from '../model-config.ts';

/** general.architecture per family: llama.cpp stores Mistral as "llama". */
export const GGUF_ARCH: Readonly<Record<ModelFamily, string>> = { llama: 'llama', mistral: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

/** ggml's GGML_QNT_VERSION. */
export const QUANTIZATION_VERSION = 2;

export interface HparamsInput {
  readonly config: ModelConfig;
  readonly rawConfig: JsonObject;
  /** general.name (llama.cpp: the model card's name, else the directory's name). */
  readonly name: string;
  readonly fileType: number;
}

export function hparamsMetadata({ config: c, rawConfig: raw, name, fileType }: HparamsInput): [string, GgufKv][] {
  const a = GGUF_ARCH[c.family];
  const out: [string, GgufKv][] = [
    ['general.architecture', kv.string(a)],
    ['general.type', kv.string('model')],
    ['general.name', kv.string(name)],
    [`${a}.block_count`, kv.u32(c.numLayers)],
    [`${a}.context_length`, kv.u32(c.maxPositionEmbeddings)],
    [`${a}.embedding_length`, kv.u32(c.hiddenSize)],
    [`${a}.feed_forward_length`, kv.u32(c.intermediateSize)],
    [`${a}.attention.head_count`, kv.u32(c.numHeads)],
    [`${a}.attention.head_count_kv`, kv.u32(c.numKvHeads)],
  ];
  const s = c.ropeScaling;
  if (s?.type === 'linear') out.push([`${a}.rope.scaling.type`, kv.string('linear')], [`${a}.rope.scaling.factor`, kv.f32(s.factor)]);
  if (s?.type === 'yarn') {
    out.push([`${a}.rope.scaling.type`, kv.string('yarn')], [`${a}.rope.scaling.factor`, kv.f32(s.factor)]);
    if (s.originalMaxPositionEmbeddings !== null) out.push([`${a}.rope.scaling.original_context_length`, kv.u32(s.originalMaxPositionEmbeddings)]);
    // Optional keys only when config.json states them (llama.cpp's defaults are the same).
    const rs = (raw.rope_scaling ?? raw.rope_parameters ?? {}) as JsonObject;
    if (s.attentionFactor !== null) out.push([`${a}.rope.scaling.yarn_attn_factor`, kv.f32(s.attentionFactor)]);
    if (typeof rs.beta_fast === 'number') out.push([`${a}.rope.scaling.yarn_beta_fast`, kv.f32(s.betaFast)]);
    if (typeof rs.beta_slow === 'number') out.push([`${a}.rope.scaling.yarn_beta_slow`, kv.f32(s.betaSlow)]);
  }
  // llama3 scaling has no keys: it becomes the rope_freqs.weight tensor.
  out.push([`${a}.rope.freq_base`, kv.f32(c.ropeTheta)], [`${a}.attention.layer_norm_rms_epsilon`, kv.f32(c.rmsNormEps)]);
  if (raw.head_dim !== undefined && raw.head_dim !== null) {
    out.push([`${a}.attention.key_length`, kv.u32(c.headDim)], [`${a}.attention.value_length`, kv.u32(c.headDim)]);
  }
  out.push(['general.file_type', kv.u32(fileType)]);
  if (a === 'llama') out.push([`${a}.vocab_size`, kv.u32(c.vocabSize)], [`${a}.rope.dimension_count`, kv.u32(c.headDim)]);
  out.push(['general.quantization_version', kv.u32(QUANTIZATION_VERSION)]);
  return out;
}
