// GGUF metadata → ModelConfig, so a .gguf and an HF directory describe a model the same
// way. Takes plain metadata (key → value, or key → {type, value} as the GGUF reader's
// Map holds it) so it does not depend on the reader's types. llama.cpp stores Mistral
// models as "llama", so GGUF gives the families llama, qwen2 and qwen3 only.
// Llama 3's "llama3" RoPE scaling is not in the metadata: llama.cpp's converter bakes it
// into a rope_freqs.weight tensor of per-frequency divisors, which the model must apply.
import { LoaderError } from './loader-error.ts';
import { checkModelConfig, type ModelConfig, type ModelFamily, type RopeScaling } from './model-config.ts';

export const GGUF_ARCHITECTURES: Readonly<Record<string, ModelFamily>> = { llama: 'llama', qwen2: 'qwen2', qwen3: 'qwen3' };

// llama_ftype values → names, for ModelConfig.dtype (descriptive only).
const FILE_TYPES: Record<number, string> = {
  0: 'F32', 1: 'F16', 2: 'Q4_0', 3: 'Q4_1', 7: 'Q8_0', 8: 'Q5_0', 9: 'Q5_1', 10: 'Q2_K', 11: 'Q3_K_S', 12: 'Q3_K_M',
  13: 'Q3_K_L', 14: 'Q4_K_S', 15: 'Q4_K_M', 16: 'Q5_K_S', 17: 'Q5_K_M', 18: 'Q6_K', 32: 'BF16',
};

export type GgufMetadataLike = Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;

export interface GgufConfigOptions {
  /** The file's tensor names: decide tied embeddings (no output.weight) and biases/norms present. */
  tensorNames?: Iterable<string>;
}

function reader(file: string, metadata: GgufMetadataLike) {
  const get = (key: string): unknown => {
    const v = metadata instanceof Map ? metadata.get(key) : (metadata as Record<string, unknown>)[key];
    // The GGUF reader's Map holds {type, value}; arrays read from files are {itemType, items}.
    if (typeof v === 'object' && v !== null && 'value' in v && 'type' in v) return (v as { value: unknown }).value;
    return v;
  };
  const fail = (problem: string): never => {
    throw new LoaderError('bad-config', file, problem);
  };
  const items = (v: unknown): ArrayLike<unknown> | undefined => {
    if (typeof v === 'object' && v !== null && 'items' in v) return (v as { items: ArrayLike<unknown> }).items;
    if (Array.isArray(v) || ArrayBuffer.isView(v)) return v as unknown as ArrayLike<unknown>;
    return undefined;
  };
  const num = (key: string): number | undefined => {
    let v = get(key);
    if (v === undefined) return undefined;
    const list = items(v);
    if (list) {
      // Per-layer arrays (head counts, FFN widths): basert needs every layer the same.
      const all = Array.from(list, (x) => (typeof x === 'bigint' ? Number(x) : x));
      if (all.length === 0 || all.some((x) => x !== all[0])) {
        throw new LoaderError('unsupported', file, `'${key}' differs between layers (${all.slice(0, 8).join(', ')}); basert needs uniform layers`);
      }
      v = all[0];
    }
    if (typeof v === 'bigint') v = Number(v);
    return typeof v === 'number' && Number.isFinite(v) ? v : fail(`metadata '${key}' must be a number, got ${String(v)}`);
  };
  const need = (key: string): number => num(key) ?? fail(`metadata '${key}' is missing`);
  const str = (key: string): string | undefined => {
    const v = get(key);
    return v === undefined || typeof v === 'string' ? v : fail(`metadata '${key}' must be a string`);
  };
  return { get, num, need, str, items };
}

function ropeScalingOf(m: ReturnType<typeof reader>, a: string, file: string): RopeScaling | null {
  const type = m.str(`${a}.rope.scaling.type`) ?? (m.num(`${a}.rope.scale_linear`) ? 'linear' : 'none');
  const factor = m.num(`${a}.rope.scaling.factor`) ?? m.num(`${a}.rope.scale_linear`) ?? 1;
  if (type === 'none' || factor === 1) return null;
  if (type === 'linear') return { type, factor };
  if (type === 'yarn') {
    return {
      type,
      factor,
      originalMaxPositionEmbeddings: m.num(`${a}.rope.scaling.original_context_length`) ?? null,
      betaFast: m.num(`${a}.rope.scaling.yarn_beta_fast`) ?? 32,
      betaSlow: m.num(`${a}.rope.scaling.yarn_beta_slow`) ?? 1,
      attentionFactor: m.num(`${a}.rope.scaling.attn_factor`) ?? null,
    };
  }
  throw new LoaderError('unsupported', file, `RoPE scaling type '${type}' is not supported (basert implements linear, yarn)`);
}

/** ModelConfig of a GGUF file from its metadata; `file` is what errors name. */
export function modelConfigFromGguf(file: string, metadata: GgufMetadataLike, opts: GgufConfigOptions = {}): ModelConfig {
  const m = reader(file, metadata);
  const a = m.str('general.architecture');
  if (a === undefined) throw new LoaderError('bad-config', file, "metadata 'general.architecture' is missing");
  if (!Object.hasOwn(GGUF_ARCHITECTURES, a)) {
    throw new LoaderError('unsupported', file, `architecture '${a}': basert supports ${Object.keys(GGUF_ARCHITECTURES).join(', ')}`);
  }
  const family = GGUF_ARCHITECTURES[a];
  const names = opts.tensorNames ? new Set(opts.tensorNames) : undefined;
  const has = (tensor: string, fallback: boolean) => (names ? names.has(tensor) : fallback);
  const hiddenSize = m.need(`${a}.embedding_length`);
  const numHeads = m.need(`${a}.attention.head_count`);
  const headDim = m.num(`${a}.attention.key_length`) ?? hiddenSize / numHeads;
  const vocabSize = m.num(`${a}.vocab_size`) ?? m.items(m.get('tokenizer.ggml.tokens'))?.length;
  if (vocabSize === undefined) throw new LoaderError('bad-config', file, `no '${a}.vocab_size' and no 'tokenizer.ggml.tokens' to count`);
  const eos = ['tokenizer.ggml.eos_token_id', 'tokenizer.ggml.eot_token_id', 'tokenizer.ggml.eom_token_id'].map((k) => m.num(k));
  const fileType = m.num('general.file_type');
  return checkModelConfig({
    architecture: a,
    family,
    vocabSize,
    hiddenSize,
    intermediateSize: m.need(`${a}.feed_forward_length`),
    numLayers: m.need(`${a}.block_count`),
    numHeads,
    numKvHeads: m.num(`${a}.attention.head_count_kv`) ?? numHeads,
    headDim,
    rmsNormEps: m.need(`${a}.attention.layer_norm_rms_epsilon`),
    ropeTheta: m.num(`${a}.rope.freq_base`) ?? 10000,
    ropeDim: m.num(`${a}.rope.dimension_count`) ?? headDim,
    ropeScaling: ropeScalingOf(m, a, file),
    maxPositionEmbeddings: m.need(`${a}.context_length`),
    tieWordEmbeddings: !has('output.weight', true),
    qkvBias: has('blk.0.attn_q.bias', family === 'qwen2'),
    oBias: has('blk.0.attn_output.bias', false),
    mlpBias: has('blk.0.ffn_up.bias', false),
    qkNorm: has('blk.0.attn_q_norm.weight', family === 'qwen3'),
    slidingWindow: m.num(`${a}.attention.sliding_window`) ?? null,
    bosTokenId: m.num('tokenizer.ggml.bos_token_id') ?? null,
    eosTokenIds: [...new Set(eos.filter((x): x is number => x !== undefined))],
    dtype: fileType === undefined ? null : (FILE_TYPES[fileType] ?? `ftype ${fileType}`),
  }, file);
}
