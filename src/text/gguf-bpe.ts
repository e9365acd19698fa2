// A "gpt2" GGUF vocabulary (byte-level BPE) as the tokenizer.json it came from: BPE model
// with the file's merges, the pre-tokenizer named by tokenizer.ggml.pre, byte-level decoder.
import { TokenizerLoadError } from './errors.ts';
import { addedTokens, vocabObject } from './gguf-common.ts';
import { byteLevelPreTokenizer, preTokenizerSpec, supportedPreTokenizers, type PreTokenizerSpec } from './gguf-pre-tokenizers.ts';
import type { GgufVocab } from './gguf-vocab.ts';

export function bpeTokenizerJson(v: GgufVocab): { json: Record<string, unknown>; pre: PreTokenizerSpec } {
  const pre = preTokenizerSpec(v.pre);
  if (!pre) {
    throw new TokenizerLoadError('GGUF metadata', `unsupported tokenizer.ggml.pre ${JSON.stringify(v.pre)} ` +
      `(supported: ${supportedPreTokenizers().join(', ')})`);
  }
  const json = {
    version: '1.0',
    added_tokens: addedTokens(v),
    normalizer: null,
    pre_tokenizer: byteLevelPreTokenizer(pre),
    post_processor: null,
    decoder: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: false, use_regex: false },
    model: {
      type: 'BPE',
      vocab: vocabObject(v.tokens),
      merges: (v.merges ?? []).map(splitMerge),
      unk_token: null,
      fuse_unk: false,
      byte_fallback: false,
      ignore_merges: pre.ignoreMerges ?? false,
      continuing_subword_prefix: '',
      end_of_word_suffix: '',
    },
  };
  return { json, pre };
}

/** "left right" -> [left, right]; like llama.cpp, the separator is the first space after index 0. */
function splitMerge(m: string, i: number): [string, string] {
  const at = m.indexOf(' ', 1);
  if (at < 0) throw new TokenizerLoadError('GGUF metadata', `tokenizer.ggml.merges[${i}] ${JSON.stringify(m)} has no space`);
  return [m.slice(0, at), m.slice(at + 1)];
}
