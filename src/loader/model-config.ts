// The normalized description of a Llama-family decoder, whatever file it came from: an
// HF config.json (hf/config.ts) or GGUF metadata (gguf-config.ts) produce the same shape,
// so src/model/ never looks at either format's key names.
import { LoaderError } from './loader-error.ts';

/** Decoder families basert implements; each is a Llama block with small differences. */
export type ModelFamily = 'llama' | 'qwen2' | 'qwen3' | 'mistral';

/** RoPE frequency scaling as the checkpoint declares it; null when plain RoPE. */
export type RopeScaling =
  /** Position interpolation: positions divided by `factor`. */
  | { readonly type: 'linear'; readonly factor: number }
  /** Llama 3.1+: per-frequency scaling between two wavelength bounds. */
  | {
      readonly type: 'llama3';
      readonly factor: number;
      readonly lowFreqFactor: number;
      readonly highFreqFactor: number;
      /** Context length (tokens) the unscaled model was trained at, e.g. 8192. */
      readonly originalMaxPositionEmbeddings: number;
    }
  /** YaRN. attentionFactor null: the model derives it (0.1·ln(factor) + 1). */
  | {
      readonly type: 'yarn';
      readonly factor: number;
      readonly originalMaxPositionEmbeddings: number | null;
      readonly betaFast: number;
      readonly betaSlow: number;
      readonly attentionFactor: number | null;
    };

export interface ModelConfig {
  /** HF class name ('Qwen3ForCausalLM') or GGUF general.architecture ('qwen3'). */
  readonly architecture: string;
  readonly family: ModelFamily;
  readonly vocabSize: number;
  /** Residual stream width (d_model). */
  readonly hiddenSize: number;
  /** FFN inner width (gate/up output, down input). */
  readonly intermediateSize: number;
  readonly numLayers: number;
  readonly numHeads: number;
  /** K/V heads (GQA); numHeads is a multiple of it. */
  readonly numKvHeads: number;
  /** Per-head width; q_proj is (numHeads·headDim, hiddenSize), not always hiddenSize². */
  readonly headDim: number;
  readonly rmsNormEps: number;
  /** RoPE base frequency. */
  readonly ropeTheta: number;
  /** Rotated dims per head: headDim unless the model uses partial rotary embeddings. */
  readonly ropeDim: number;
  readonly ropeScaling: RopeScaling | null;
  /** Longest context (tokens) the checkpoint claims to support. */
  readonly maxPositionEmbeddings: number;
  /** lm_head shares the token embedding matrix (no separate lm_head / output weight). */
  readonly tieWordEmbeddings: boolean;
  /** Bias on q/k/v projections (Qwen2: yes; Llama: `attention_bias`). */
  readonly qkvBias: boolean;
  /** Bias on o_proj (Llama's `attention_bias` covers it; Qwen2 has none). */
  readonly oBias: boolean;
  /** Bias on gate/up/down (Llama `mlp_bias`). */
  readonly mlpBias: boolean;
  /** Per-head RMSNorm on q and k before RoPE (Qwen3). */
  readonly qkNorm: boolean;
  /** Sliding-window attention span in tokens, null when every layer attends to all. */
  readonly slidingWindow: number | null;
  readonly bosTokenId: number | null;
  /** Tokens that end generation (config.json allows a list). */
  readonly eosTokenIds: readonly number[];
  /** Storage dtype the checkpoint declares ('bfloat16', 'F16'...), null when unstated. */
  readonly dtype: string | null;
}

/** Generation settings a checkpoint ships (generation_config.json); undefined = not set. */
export interface GenerationDefaults {
  /** false: the authors want greedy decoding (temperature and top-p/k then do not apply). */
  readonly doSample?: boolean;
  readonly temperature?: number;
  readonly topP?: number;
  readonly topK?: number;
  readonly minP?: number;
  readonly repetitionPenalty?: number;
  /** Tokens to generate at most. */
  readonly maxNewTokens?: number;
  /** Prompt + generated tokens at most. */
  readonly maxLength?: number;
  readonly bosTokenId?: number;
  readonly eosTokenIds?: readonly number[];
  readonly padTokenId?: number;
}

/** Checks the numbers fit together; `file` is what the error names. */
export function checkModelConfig(cfg: ModelConfig, file: string): ModelConfig {
  const bad = (problem: string): never => {
    throw new LoaderError('bad-config', file, problem);
  };
  const counts = ['vocabSize', 'hiddenSize', 'intermediateSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'ropeDim', 'maxPositionEmbeddings'] as const;
  for (const k of counts) {
    if (!Number.isSafeInteger(cfg[k]) || cfg[k] <= 0) bad(`${k} must be a positive integer, got ${cfg[k]}`);
  }
  if (cfg.numHeads % cfg.numKvHeads !== 0) bad(`${cfg.numHeads} attention heads are not a multiple of ${cfg.numKvHeads} key/value heads`);
  if (cfg.ropeDim > cfg.headDim || cfg.ropeDim % 2 !== 0) bad(`rotary dims ${cfg.ropeDim} must be even and at most head_dim ${cfg.headDim}`);
  if (!(cfg.rmsNormEps > 0)) bad(`rms_norm_eps must be positive, got ${cfg.rmsNormEps}`);
  if (!(cfg.ropeTheta > 0)) bad(`rope_theta must be positive, got ${cfg.ropeTheta}`);
  if (cfg.ropeScaling && !(cfg.ropeScaling.factor > 0)) bad(`rope scaling factor must be positive, got ${cfg.ropeScaling.factor}`);
  return cfg;
}
