// The Tokenizer facade over @huggingface/tokenizers. Both loaders (tokenizer.json and
// GGUF vocabulary) end here, so encode/decode behave the same whatever the source.
import type { Tokenizer as HfEngine } from '@huggingface/tokenizers';
import { collectStopIds } from './special-tokens.ts';
import type { AddedTokenInfo, DecodeOptions, EncodeOptions, SpecialTokenIds, Tokenizer } from './tokenizer.ts';

/** What a loader resolved from its config besides the vocabulary itself. */
export interface TokenizerSpec {
  /** Without `stop`: that is eos + extraStopIds + known end markers, worked out here. */
  readonly special: Omit<SpecialTokenIds, 'stop'>;
  /** End-of-generation ids besides eos (generation_config eos_token_id, GGUF eot/eom). */
  readonly extraStopIds?: readonly (number | null)[];
  /** Ids encode() puts before / after the text when addSpecialTokens (BOS, EOS). */
  readonly prefixIds: readonly number[];
  readonly suffixIds: readonly number[];
  /** Ids that decode to nothing although they have a vocabulary entry (unused GGUF slots). */
  readonly hiddenIds?: ReadonlySet<number>;
  /** Extra tokens skipSpecialTokens removes (tokenizer_config additional_special_tokens). */
  readonly extraSpecial?: readonly string[];
}

export class HfTokenizer implements Tokenizer {
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addedTokens: readonly AddedTokenInfo[];
  private readonly specialIds: ReadonlySet<number>;

  constructor(private readonly engine: HfEngine, private readonly spec: TokenizerSpec) {
    const model = engine.model;
    if (!model) throw new Error('HfTokenizer: the tokenizer has no model');
    this.vocabSize = model.vocab.length;
    this.addBos = spec.special.bos !== null && spec.prefixIds.includes(spec.special.bos);
    this.addEos = spec.special.eos !== null && spec.suffixIds.includes(spec.special.eos);
    this.addedTokens = [...engine.get_added_tokens_decoder().values()]
      .map((t) => ({ id: t.id, content: t.content, special: t.special }))
      .sort((a, b) => a.id - b.id);
    const ids = new Set(this.addedTokens.filter((t) => t.special).map((t) => t.id));
    for (const text of spec.extraSpecial ?? []) {
      const id = engine.token_to_id(text);
      if (id !== undefined) ids.add(id);
    }
    this.specialIds = ids;
    this.special = { ...spec.special, stop: collectStopIds([spec.special.eos, ...(spec.extraStopIds ?? [])], this) };
  }

  encode(text: string, opts: EncodeOptions = {}): number[] {
    const { ids } = this.engine.encode(text, { add_special_tokens: false });
    if (ids.some((id) => id === undefined)) {
      throw new Error(`HfTokenizer: a piece of ${JSON.stringify(text.slice(0, 40))} has no token id`);
    }
    if (opts.addSpecialTokens === false) return ids;
    return [...this.spec.prefixIds, ...ids, ...this.spec.suffixIds];
  }

  decode(ids: readonly number[], opts: DecodeOptions = {}): string {
    const hidden = this.spec.hiddenIds;
    const kept = ids.filter((id) =>
      Number.isInteger(id) && id >= 0 && id < this.vocabSize &&
      !hidden?.has(id) && this.engine.id_to_token(id) !== undefined);
    if (kept.length === 0) return '';
    return this.engine.decode(kept, {
      skip_special_tokens: opts.skipSpecialTokens ?? false,
      // The library's clean-up (" ." -> ".") rewrites model output and breaks streaming.
      clean_up_tokenization_spaces: false,
    });
  }

  idToToken(id: number): string | undefined {
    return Number.isInteger(id) && id >= 0 ? this.engine.id_to_token(id) : undefined;
  }

  tokenToId(token: string): number | undefined {
    return this.engine.token_to_id(token);
  }

  isSpecial(id: number): boolean {
    return this.specialIds.has(id);
  }
}
