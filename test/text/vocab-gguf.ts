// Writes tokenizer metadata into a complete, tiny, zero-weight llama GGUF that the
// llama.cpp reference (node-llama-cpp) can load, so our GGUF tokenizer can be compared
// with llama.cpp's on the same file.
import { writeFileSync } from 'node:fs';
import { encodeGguf, GgmlType, GgufValueType as T, kv, type GgufKv } from '../../src/loader/gguf/index.ts';

const E = 8; // embedding width
const F = 16; // feed-forward width

function toKv(v: unknown): GgufKv | undefined {
  if (typeof v === 'string') return kv.string(v);
  if (typeof v === 'boolean') return kv.bool(v);
  if (typeof v === 'number') return kv.u32(v);
  if (v instanceof Int32Array) return kv.array(T.INT32, v);
  if (v instanceof Float32Array) return kv.array(T.FLOAT32, v);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return kv.array(T.STRING, v);
  return undefined;
}

/** `meta`: tokenizer.ggml.* (and tokenizer.chat_template) values as plain JS. */
export function writeVocabGguf(path: string, meta: Record<string, unknown>): void {
  const nVocab = (meta['tokenizer.ggml.tokens'] as string[]).length;
  const kvs: Record<string, GgufKv> = {
    'general.architecture': kv.string('llama'),
    'llama.context_length': kv.u32(64),
    'llama.embedding_length': kv.u32(E),
    'llama.block_count': kv.u32(1),
    'llama.feed_forward_length': kv.u32(F),
    'llama.attention.head_count': kv.u32(2),
    'llama.attention.layer_norm_rms_epsilon': kv.f32(1e-5),
  };
  for (const [k, v] of Object.entries(meta)) {
    const e = k.startsWith('tokenizer.') ? toKv(v) : undefined;
    if (e) kvs[k] = e;
  }
  const zeros = (name: string, dims: number[]) =>
    ({ name, dims, type: GgmlType.F32, data: new Uint8Array(dims.reduce((a, b) => a * b, 4)) });
  const tensors = [
    zeros('token_embd.weight', [E, nVocab]), zeros('output_norm.weight', [E]),
    zeros('blk.0.attn_norm.weight', [E]), zeros('blk.0.ffn_norm.weight', [E]),
    ...['attn_q', 'attn_k', 'attn_v', 'attn_output'].map((n) => zeros(`blk.0.${n}.weight`, [E, E])),
    zeros('blk.0.ffn_gate.weight', [E, F]), zeros('blk.0.ffn_up.weight', [E, F]), zeros('blk.0.ffn_down.weight', [F, E]),
  ];
  writeFileSync(path, encodeGguf(kvs, tensors));
}
