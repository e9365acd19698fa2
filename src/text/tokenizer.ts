// The engine's view of a tokenizer. Two sources implement it (hf-load.ts: tokenizer.json +
// tokenizer_config.json; gguf-tokenizer.ts: a GGUF's embedded vocabulary) through one
// engine, @huggingface/tokenizers, so both tokenize identically.

export interface EncodeOptions {
  /**
   * Add the model's BOS/EOS around the text as its config asks (add_bos_token,
   * add_eos_token, a TemplateProcessing post-processor, tokenizer.ggml.add_bos_token).
   * Default true. Pass false for text rendered by a chat template, which already
   * carries its own BOS.
   */
  readonly addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  /** Drop special (control) tokens such as <|im_end|> from the text. Default false. */
  readonly skipSpecialTokens?: boolean;
}

/** Ids of the model's special tokens; null where the model has none. */
export interface SpecialTokenIds {
  readonly bos: number | null;
  /** The primary EOS (tokenizer_config eos_token, tokenizer.ggml.eos_token_id). */
  readonly eos: number | null;
  readonly pad: number | null;
  readonly unk: number | null;
  /**
   * Every id that ends generation: eos, eot/eom, generation_config's eos_token_id list,
   * and well-known end markers present as special tokens (<|im_end|>, <|eot_id|>, ...).
   */
  readonly stop: readonly number[];
}

/** A token matched in raw text before the model runs (special or user-defined). */
export interface AddedTokenInfo {
  readonly id: number;
  readonly content: string;
  /** Control token: hidden by skipSpecialTokens. User-defined ones (e.g. <think>) are not. */
  readonly special: boolean;
}

export interface Tokenizer {
  /** One past the largest token id (may be below the model's embedding rows). */
  readonly vocabSize: number;
  readonly special: SpecialTokenIds;
  /** Whether encode() with addSpecialTokens prepends BOS / appends EOS. */
  readonly addBos: boolean;
  readonly addEos: boolean;
  readonly addedTokens: readonly AddedTokenInfo[];

  /** Text to ids; special tokens written in the text (e.g. "<|im_start|>") become their ids. */
  encode(text: string, opts?: EncodeOptions): number[];
  /**
   * Ids to text. Ids with no token (padding rows of the embedding, unused GGUF slots)
   * decode to nothing. Never "cleans up" spaces: the text is what the model produced.
   */
  decode(ids: readonly number[], opts?: DecodeOptions): string;
  /** The vocabulary entry (raw form: "Ġworld", "▁world", "<0x0A>"). */
  idToToken(id: number): string | undefined;
  tokenToId(token: string): number | undefined;
  /** True for control tokens that skipSpecialTokens removes. */
  isSpecial(id: number): boolean;
}
