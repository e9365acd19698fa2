// Token-level constraint for one sequence: which token ids may come next (a bitmask over the
// vocabulary) and advancing by the sampled one. Stop ids are allowed exactly when the
// grammar may end; once nothing can follow (a JSON value closed) only stop ids remain and
// isTerminated() says the sequence is done.
import type { Grammar } from './grammar.ts';
import { budgetFor } from './completion-budget.ts';
import { CompiledGrammar, type MatchState } from './pda.ts';
import { acceptBytes } from './char-matcher.ts';
import { maskerFor } from './token-masker.ts';
import type { TokenVocab } from './token-vocab.ts';

const encoder = new TextEncoder();

export class GrammarMatcher {
  readonly compiled: CompiledGrammar;
  private current: MatchState;
  private stopped = false;
  private closing = false;

  constructor(grammar: Grammar | CompiledGrammar, readonly vocab: TokenVocab, state?: MatchState) {
    this.compiled = grammar instanceof CompiledGrammar ? grammar : new CompiledGrammar(grammar);
    this.current = state ?? this.compiled.initial;
  }

  /**
   * Writes the allowed ids into `mask` (vocab.maskWords words; bit id&31 of word id>>5 set =
   * allowed). With `tokensLeft` (this token included), near the end of that budget only
   * tokens after which the output can still be completed in time are allowed
   * (completion-budget.ts), so the sequence ends on a complete sentence.
   */
  fillMask(mask: Uint32Array, tokensLeft?: number): void {
    if (this.stopped) mask.fill(0);
    else maskerFor(this.compiled, this.vocab).fill(this.current, mask);
    if (this.stopped || this.current.canEnd) this.setStopIds(mask);
    if (tokensLeft !== undefined && !this.stopped) {
      if (budgetFor(this.compiled, this.vocab).restrict(this.current, mask, tokensLeft) === 'closing') this.closing = true;
    }
  }

  /** Some fillMask's budget left only tokens that shorten the way to the end: the output was
   *  closed early because the budget ran out (report it as finish_reason 'length'). */
  get closedByBudget(): boolean {
    return this.closing;
  }

  private setStopIds(mask: Uint32Array): void {
    for (const id of this.vocab.stopIds) mask[id >>> 5] |= 1 << (id & 31);
  }

  /** Advances by `id`; false (and no change) if the grammar does not allow it here. */
  accept(id: number): boolean {
    if (this.stopped) return false;
    if (this.vocab.stopIds.includes(id)) {
      if (!this.current.canEnd) return false;
      this.stopped = true;
      return true;
    }
    const bytes = this.vocab.tokenBytes[id];
    if (!bytes) return false;
    const next = acceptBytes(this.compiled, this.current, bytes);
    if (!next) return false;
    this.current = next;
    return true;
  }

  /** Advances by literal text the server inserts itself (a tool-call opener); false if refused. */
  acceptText(text: string): boolean {
    if (this.stopped) return false;
    const next = acceptBytes(this.compiled, this.current, encoder.encode(text));
    if (next) this.current = next;
    return next !== null;
  }

  /** The matcher's configuration now (immutable, shared). */
  get state(): MatchState {
    return this.current;
  }

  /** The output so far is complete: stop ids are allowed. */
  canEnd(): boolean {
    return !this.stopped && this.current.canEnd;
  }

  /** A stop id was accepted, or the grammar is complete and nothing can follow: end the sequence. */
  isTerminated(): boolean {
    return this.stopped || (this.current.canEnd && this.current.isFinal);
  }

  /** Independent copy (e.g. for a forked sequence); cheap, states are shared. */
  clone(): GrammarMatcher {
    const m = new GrammarMatcher(this.compiled, this.vocab, this.current);
    m.stopped = this.stopped;
    m.closing = this.closing;
    return m;
  }

  /** Back to the start (a preempted sequence recomputing its output). */
  reset(): void {
    this.current = this.compiled.initial;
    this.stopped = false;
    this.closing = false;
  }
}
