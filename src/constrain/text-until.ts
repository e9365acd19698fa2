// Free text up to a marker, then a grammar: what "the model writes what it likes until it
// opens a tool call, and from the marker on the call is constrained" is as one grammar
// (tool_choice "auto"), and reasoning up to "</think>" before a constrained answer.
//
// The free part is "any text not containing the marker": one rule per matched prefix length
// of the marker (the KMP automaton of the marker as right-recursive rules, so the matcher's
// stack stays flat). A token that straddles the marker (text, then the marker's first
// characters) is checked like any other: it is allowed only when what follows the marker
// fits `then`. The free part's masks are nearly full and cached per state.
import { MAX_CODE_POINT } from './char-class.ts';
import { alt, chars, EMPTY, type Expr, GrammarBuilder, lit, ref, seq } from './grammar.ts';

export interface TextUntilOptions {
  /** The text may end without the marker (a plain reply); else the marker must come. */
  readonly mayEnd: boolean;
  /** Rule name prefix (unique names are derived from it). */
  readonly name?: string;
}

/**
 * Sentences: T (when mayEnd) or T + marker + then, where T is any text not containing
 * `marker` (a non-empty string).
 */
export function textUntil(b: GrammarBuilder, marker: string, then: Expr, opts: TextUntilOptions): Expr {
  const m = [...marker].map((c) => c.codePointAt(0)!);
  const k = m.length;
  if (k === 0) throw new RangeError('textUntil: the marker must not be empty');
  // KMP failure function: fail[i] = length of the longest proper border of m[0..i].
  const fail = new Array<number>(k).fill(0);
  for (let i = 1, j = 0; i < k; i++) {
    while (j > 0 && m[i] !== m[j]) j = fail[j - 1];
    if (m[i] === m[j]) j++;
    fail[i] = j;
  }
  const delta = (i: number, c: number): number => {
    while (i > 0 && c !== m[i]) i = fail[i - 1];
    return c === m[i] ? i + 1 : 0;
  };
  const distinct = [...new Set(m)];
  const name = opts.name ?? 'text';
  const rules = Array.from({ length: k }, (_, i) => b.reserve(`${name}-${i}`));
  for (let i = 0; i < k; i++) {
    const options: Expr[] = opts.mayEnd ? [EMPTY] : [];
    const special: number[] = [];
    for (const c of distinct) {
      const j = delta(i, c);
      if (j === 0) continue;
      special.push(c, c);
      const ch = lit(String.fromCodePoint(c));
      options.push(j === k ? seq(ch, then) : seq(ch, ref(rules[j])));
    }
    // Every other character goes back to "nothing of the marker matched".
    options.push(seq(special.length ? chars(special, true) : chars([0, MAX_CODE_POINT]), ref(rules[0])));
    b.define(rules[i], alt(...options));
  }
  return ref(rules[0]);
}
