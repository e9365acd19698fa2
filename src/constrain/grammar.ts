// The grammar IR every front end (JSON Schema, GBNF, regex) produces and the matcher
// compiles: named rules whose bodies are expressions over code-point classes. It is plain
// data, so a server can build, inspect or cache it without the matcher.
import { MAX_CODE_POINT, negateRanges, normalizeRanges, type Ranges } from './char-class.ts';

export type Expr =
  /** One code point from the class. */
  | { readonly type: 'chars'; readonly ranges: Ranges }
  | { readonly type: 'literal'; readonly text: string }
  | { readonly type: 'seq'; readonly items: readonly Expr[] }
  | { readonly type: 'alt'; readonly options: readonly Expr[] }
  /** `item` between min and max times (max Infinity: unbounded). */
  | { readonly type: 'repeat'; readonly item: Expr; readonly min: number; readonly max: number }
  | { readonly type: 'ref'; readonly rule: string };

export interface Grammar {
  readonly rules: ReadonlyMap<string, Expr>;
  /** The start rule. */
  readonly root: string;
}

export const EMPTY: Expr = { type: 'seq', items: [] };

export function lit(text: string): Expr {
  return { type: 'literal', text };
}

/** A class from inclusive [lo, hi] pairs; `negated` takes the complement. */
export function chars(pairs: readonly number[], negated = false): Expr {
  const ranges = normalizeRanges(pairs);
  return { type: 'chars', ranges: negated ? negateRanges(ranges) : ranges };
}

/** A class from a string of single characters and "a-z" style ranges, e.g. charSet('0-9a-fA-F'). */
export function charSet(spec: string, negated = false): Expr {
  const cps = [...spec].map((c) => c.codePointAt(0)!);
  const pairs: number[] = [];
  for (let i = 0; i < cps.length; i++) {
    if (cps[i + 1] === 0x2d && i + 2 < cps.length) { pairs.push(cps[i], cps[i + 2]); i += 2; }
    else pairs.push(cps[i], cps[i]);
  }
  return chars(pairs, negated);
}

export const ANY_CHAR: Expr = chars([0, MAX_CODE_POINT]);

export function seq(...items: Expr[]): Expr {
  return items.length === 1 ? items[0] : { type: 'seq', items };
}

export function alt(...options: Expr[]): Expr {
  return options.length === 1 ? options[0] : { type: 'alt', options };
}

export function repeat(item: Expr, min: number, max = Infinity): Expr {
  return { type: 'repeat', item, min, max };
}

export const opt = (item: Expr): Expr => repeat(item, 0, 1);
export const star = (item: Expr): Expr => repeat(item, 0);
export const plus = (item: Expr): Expr => repeat(item, 1);

export function ref(rule: string): Expr {
  return { type: 'ref', rule };
}

/** Collects rules under unique names; builders add shared pieces once. */
export class GrammarBuilder {
  readonly rules = new Map<string, Expr>();

  /** Adds `name` (suffixed to be unique) and returns its reference. */
  add(name: string, body: Expr): Expr {
    const unique = this.uniqueName(name);
    this.rules.set(unique, body);
    return ref(unique);
  }

  /** A rule defined once under exactly `name`: later calls reuse it. */
  shared(name: string, make: () => Expr): Expr {
    if (!this.rules.has(name)) {
      this.rules.set(name, EMPTY); // reserved first, so `make` may refer to it (recursion)
      this.rules.set(name, make());
    }
    return ref(name);
  }

  /** Reserves a unique name now and defines it later (for recursive $refs). */
  reserve(name: string): string {
    const unique = this.uniqueName(name);
    this.rules.set(unique, EMPTY);
    return unique;
  }

  define(name: string, body: Expr): void {
    this.rules.set(name, body);
  }

  /**
   * Copies `grammar`'s rules in under names starting with `prefix` and returns a reference
   * to its root: how a tool-call grammar embeds each function's arguments schema.
   */
  include(grammar: Grammar, prefix: string): Expr {
    const names = new Map<string, string>();
    for (const name of grammar.rules.keys()) names.set(name, this.reserve(`${prefix}${name}`));
    const copies = new Map<Expr, Expr>(); // shared sub-expressions stay shared
    const rename = (e: Expr): Expr => {
      let c = copies.get(e);
      if (c) return c;
      switch (e.type) {
        case 'ref': c = ref(names.get(e.rule) ?? e.rule); break;
        case 'seq': c = { type: 'seq', items: e.items.map(rename) }; break;
        case 'alt': c = { type: 'alt', options: e.options.map(rename) }; break;
        case 'repeat': c = { ...e, item: rename(e.item) }; break;
        default: c = e;
      }
      copies.set(e, c);
      return c;
    };
    for (const [name, body] of grammar.rules) this.define(names.get(name)!, rename(body));
    return ref(names.get(grammar.root)!);
  }

  build(root: string): Grammar {
    return { rules: new Map(this.rules), root };
  }

  private uniqueName(name: string): string {
    let unique = name;
    for (let i = 2; this.rules.has(unique); i++) unique = `${name}-${i}`;
    return unique;
  }
}
