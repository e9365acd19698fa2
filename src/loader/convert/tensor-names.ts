// Hugging Face tensor names -> GGUF tensor names for the Llama-family decoders, as
// gguf-py's TensorNameMap maps them (MODEL_TENSOR.* in constants.py). GGUF names say
// what a tensor is, not which class held it: blk.N.attn_q.weight for
// model.layers.N.self_attn.q_proj.weight.

const GLOBAL: Readonly<Record<string, string>> = {
  'model.embed_tokens': 'token_embd',
  'model.norm': 'output_norm',
  'lm_head': 'output',
};

const PER_LAYER: Readonly<Record<string, string>> = {
  'input_layernorm': 'attn_norm',
  'self_attn.q_proj': 'attn_q',
  'self_attn.k_proj': 'attn_k',
  'self_attn.v_proj': 'attn_v',
  'self_attn.o_proj': 'attn_output',
  'self_attn.q_norm': 'attn_q_norm', // Qwen3
  'self_attn.k_norm': 'attn_k_norm',
  'post_attention_layernorm': 'ffn_norm',
  'mlp.gate_proj': 'ffn_gate',
  'mlp.up_proj': 'ffn_up',
  'mlp.down_proj': 'ffn_down',
};

/** Buffers some checkpoints save that llama.cpp's converter drops. */
const SKIPPED = ['.rotary_emb.inv_freq', '.attention.masked_bias', '.attention.bias'];

/**
 * The GGUF name of a checkpoint tensor; null for tensors the converter drops; undefined
 * for names it does not know (the caller reports them).
 */
export function ggufTensorName(hfName: string): string | null | undefined {
  if (SKIPPED.some((s) => hfName.endsWith(s))) return null;
  const m = /^(.*)\.(weight|bias)$/.exec(hfName);
  if (!m) return undefined;
  const [, base, suffix] = m;
  if (Object.hasOwn(GLOBAL, base)) return `${GLOBAL[base]}.${suffix}`;
  const layer = /^model\.layers\.(\d+)\.(.+)$/.exec(base);
  if (layer && Object.hasOwn(PER_LAYER, layer[2])) return `blk.${Number(layer[1])}.${PER_LAYER[layer[2]]}.${suffix}`;
  return undefined;
}

/** Block index of a GGUF tensor name (blk.N.*), or undefined for global tensors. */
export function blockOf(ggufName: string): number | undefined {
  const m = /^blk\.(\d+)\./.exec(ggufName);
  return m ? Number(m[1]) : undefined;
}
