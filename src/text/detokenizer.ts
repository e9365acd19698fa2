// Streaming detokenization: ids arrive one at a time, text leaves as deltas.
//
// Each step decodes a short window twice, the tokens already emitted (prefix) and those
// plus the new ones, and emits the difference. The window starts at the previous
// emission's tokens, never at the stream's start, so the decoder's first-token rules
// (SentencePiece strips the leading space of the first "▁word") act as they would on
// the whole stream. Text ending in U+FFFD is an unfinished UTF-8 sequence (an emoji split
// across byte tokens): held back until a later token completes it or the stream ends.
import type { DecodeOptions, Tokenizer } from './tokenizer.ts';

const REPLACEMENT = '\uFFFD';

export interface DetokenizerOptions {
  /** Hide special tokens (<|im_end|>) as the final text does. Default true. */
  readonly skipSpecialTokens?: boolean;
  /**
   * The prompt's ids (only the last few are used): generated text is then decoded as the
   * prompt's continuation, so a first "▁Hello" keeps its space.
   */
  readonly promptIds?: readonly number[];
}

/** How many prompt ids give enough context; vLLM uses 5. */
const PROMPT_CONTEXT = 6;

export class IncrementalDetokenizer {
  private readonly ids: number[];
  private prefixOffset = 0;
  private readOffset: number;
  private readonly opts: DecodeOptions;
  private emitted = '';

  constructor(private readonly tokenizer: Pick<Tokenizer, 'decode'>, opts: DetokenizerOptions = {}) {
    this.ids = (opts.promptIds ?? []).slice(-PROMPT_CONTEXT);
    this.readOffset = this.ids.length;
    this.opts = { skipSpecialTokens: opts.skipSpecialTokens ?? true };
  }

  /** Adds one generated id; returns the text it completes ('' while a character is unfinished). */
  push(id: number): string {
    this.ids.push(id);
    return this.step(false);
  }

  /** End of stream: whatever is held back, unfinished characters included (as U+FFFD). */
  flush(): string {
    return this.readOffset < this.ids.length ? this.step(true) : '';
  }

  /** All text emitted so far. */
  get text(): string {
    return this.emitted;
  }

  private step(final: boolean): string {
    const prefix = this.decode(this.prefixOffset, this.readOffset);
    const full = this.decode(this.prefixOffset, this.ids.length);
    if (!final && (full.length <= prefix.length || full.endsWith(REPLACEMENT))) return '';
    // full normally starts with prefix; should a decoder rewrite across the boundary,
    // emit from the first difference rather than drop text.
    let common = 0;
    while (common < prefix.length && prefix[common] === full[common]) common++;
    const delta = full.slice(common);
    this.prefixOffset = this.readOffset;
    this.readOffset = this.ids.length;
    this.emitted += delta;
    return delta;
  }

  private decode(from: number, to: number): string {
    return from < to ? this.tokenizer.decode(this.ids.slice(from, to), this.opts) : '';
  }
}
