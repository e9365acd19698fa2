// A "llama" GGUF vocabulary (SentencePiece) as tokenizer.json, tokenizing as llama.cpp's
// SPM tokenizer does: spaces become "▁", one "▁" is prepended to each run of text
// (add_space_prefix), then adjacent symbols merge greedily, highest-scoring resulting
// piece first (leftmost on ties), and characters left without a piece become <0xNN> byte
// tokens. That is a BPE model whose merges are every split of every piece into two
// pieces, ranked by the merged piece's score -- with equal scores given equal rank (see
// applySpmRanks), since the BPE engine otherwise breaks ties by list order, not position.
import type { Tokenizer as HfEngine } from '@huggingface/tokenizers';
import { addedTokens, vocabObject } from './gguf-common.ts';
import { TokenType, type GgufVocab } from './gguf-vocab.ts';

const SPACE = '▁';

export interface SpmMerges {
  readonly merges: [string, string][];
  /** merges[i]'s rank: the position of its piece's score among distinct scores, best first. */
  readonly ranks: number[];
}

export function spmMerges(v: GgufVocab): SpmMerges {
  const ids = new Map(v.tokens.map((t, i) => [t, i]));
  const symbol = (s: string) => ids.has(s) || [...s].length === 1;
  const found: { pair: [string, string]; score: number }[] = [];
  v.tokens.forEach((token, id) => {
    const type = v.types[id];
    if (type === TokenType.BYTE || type === TokenType.CONTROL || type === TokenType.UNKNOWN) return;
    const chars = [...token];
    for (let k = 1; k < chars.length; k++) {
      const left = chars.slice(0, k).join('');
      const right = chars.slice(k).join('');
      if (symbol(left) && symbol(right)) found.push({ pair: [left, right], score: v.scores?.[id] ?? 0 });
    }
  });
  found.sort((a, b) => b.score - a.score);
  const ranks: number[] = [];
  let rank = -1;
  found.forEach((m, i) => {
    if (i === 0 || m.score !== found[i - 1].score) rank++;
    ranks.push(rank);
  });
  return { merges: found.map((m) => m.pair), ranks };
}

export function spmTokenizerJson(v: GgufVocab, merges: SpmMerges): Record<string, unknown> {
  const addSpacePrefix = v.addSpacePrefix ?? true;
  const escape = { type: 'Replace', pattern: { String: ' ' }, content: SPACE };
  const unk = v.unkId !== undefined ? v.tokens[v.unkId] : null;
  return {
    version: '1.0',
    added_tokens: addedTokens(v),
    normalizer: addSpacePrefix ? { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: SPACE }, escape] } : escape,
    pre_tokenizer: null,
    post_processor: null,
    decoder: {
      type: 'Sequence',
      decoders: [
        { type: 'Replace', pattern: { String: SPACE }, content: ' ' },
        { type: 'ByteFallback' },
        { type: 'Fuse' },
        ...(addSpacePrefix ? [{ type: 'Strip', content: ' ', start: 1, stop: 0 }] : []),
      ],
    },
    model: {
      type: 'BPE',
      vocab: vocabObject(v.tokens),
      merges: merges.merges,
      unk_token: unk,
      fuse_unk: true,
      byte_fallback: true,
      ignore_merges: false,
    },
  };
}

/** Gives merges of equal score equal rank, so the engine breaks ties by position. */
export function applySpmRanks(engine: HfEngine, merges: SpmMerges): void {
  const bpe = engine.model as unknown as { bpe_ranks?: Map<string, number> };
  if (!(bpe.bpe_ranks instanceof Map)) throw new Error('applySpmRanks: the engine model is not BPE');
  merges.merges.forEach((pair, i) => bpe.bpe_ranks!.set(JSON.stringify(pair), merges.ranks[i]));
}
