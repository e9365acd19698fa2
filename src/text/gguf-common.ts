// Pieces both GGUF vocabulary kinds need when written as tokenizer.json.
import { TokenizerLoadError } from './errors.ts';
import { TokenType, type GgufVocab } from './gguf-vocab.ts';

/** token -> id, rejecting duplicates as llama.cpp does. */
export function vocabObject(tokens: readonly string[]): Record<string, number> {
  const vocab: Record<string, number> = Object.create(null);
  tokens.forEach((t, id) => {
    if (t in vocab) {
      throw new TokenizerLoadError('GGUF metadata', `duplicate token ${JSON.stringify(t)} at ids ${vocab[t]} and ${id}`);
    }
    vocab[t] = id;
  });
  return vocab;
}

/**
 * Control, unknown and user-defined tokens are matched in raw text before the model runs
 * (llama.cpp's tokenizer_st_partition); control and unknown ones are special (hidden by
 * skipSpecialTokens), user-defined ones (e.g. <think>) are not.
 */
export function addedTokens(v: GgufVocab): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (let id = 0; id < v.tokens.length; id++) {
    const type = v.types[id];
    if (type !== TokenType.CONTROL && type !== TokenType.UNKNOWN && type !== TokenType.USER_DEFINED) continue;
    out.push({
      id, content: v.tokens[id], special: type !== TokenType.USER_DEFINED,
      single_word: false, lstrip: false, rstrip: false, normalized: false,
    });
  }
  return out;
}

/** Ids llama.cpp renders as nothing whatever the flags: unused slots such as "[PAD151669]". */
export function unusedIds(v: GgufVocab): Set<number> {
  const out = new Set<number>();
  for (let id = 0; id < v.tokens.length; id++) if (v.types[id] === TokenType.UNUSED) out.add(id);
  return out;
}
