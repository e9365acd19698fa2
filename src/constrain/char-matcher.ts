// Text-level matching against a grammar: the form tests, the JSON-Schema checks and forced
// prefixes (a tool-call opener the server inserts) use. Tokens go through GrammarMatcher.
import type { Grammar } from './grammar.ts';
import { CompiledGrammar, type MatchState } from './pda.ts';

const encoder = new TextEncoder();

export class CharMatcher {
  readonly compiled: CompiledGrammar;
  private current: MatchState;

  constructor(grammar: Grammar | CompiledGrammar, state?: MatchState) {
    this.compiled = grammar instanceof CompiledGrammar ? grammar : new CompiledGrammar(grammar);
    this.current = state ?? this.compiled.initial;
  }

  /** Consumes `text` (one character or more) if the grammar admits all of it; else changes nothing. */
  accept(text: string): boolean {
    const s = acceptBytes(this.compiled, this.current, encoder.encode(text));
    if (s) this.current = s;
    return s !== null;
  }

  /** The text so far is a complete sentence of the grammar. */
  canEnd(): boolean {
    return this.current.canEnd;
  }

  /** Same as canEnd(): the automaton is in an accepting configuration. */
  isAccepting(): boolean {
    return this.current.canEnd;
  }

  /** Some longer text is still admitted. */
  canContinue(): boolean {
    return !this.current.isFinal;
  }

  clone(): CharMatcher {
    return new CharMatcher(this.compiled, this.current);
  }
}

/** Steps `bytes` from `s`; null as soon as one is refused. */
export function acceptBytes(compiled: CompiledGrammar, s: MatchState, bytes: Uint8Array): MatchState | null {
  let cur: MatchState | null = s;
  for (let i = 0; i < bytes.length && cur; i++) cur = compiled.step(cur, bytes[i]);
  return cur;
}

/** Whether the grammar admits exactly `text` as a whole sentence. */
export function matchesGrammar(grammar: Grammar | CompiledGrammar, text: string): boolean {
  const m = new CharMatcher(grammar);
  return m.accept(text) && m.canEnd();
}
