// Lowers the Expr IR to what the pushdown matcher walks: every rule is a list of
// alternatives, every alternative a run of elements in one flat Int32Array ending in END.
// An element is a character class id (>= 0) or a rule reference -(rule + 2). Repetitions,
// nested alternations and optionals become auxiliary rules; loops are right-recursive
// (S ::= x S | ε) so the matcher's tail calls keep the stack flat.
import { ConstraintError } from './errors.ts';
import type { Ranges } from './char-class.ts';
import type { Expr, Grammar } from './grammar.ts';

export const END = -1;

export interface FlatGrammar {
  /** END, a class id (>= 0) or -(rule + 2). */
  readonly elems: Int32Array;
  readonly classes: readonly Ranges[];
  /** Per rule: the position in `elems` where each alternative starts. */
  readonly ruleAlts: readonly Int32Array[];
  readonly ruleNames: readonly string[];
  readonly root: number;
}

/** Refuses grammars whose expansion would not fit (a {1,100000} repetition, say). */
const MAX_ELEMS = 1 << 21;

type Atom = number; // class id or -(rule + 2), as in elems

export function flattenGrammar(grammar: Grammar): FlatGrammar {
  return new Flattener(grammar).run();
}

class Flattener {
  private readonly ruleIds = new Map<string, number>();
  private readonly ruleNames: string[] = [];
  private readonly alts: Atom[][][] = [];
  private readonly classIds = new Map<string, number>();
  private readonly classes: Ranges[] = [];
  /** Aux rules already made for an Expr object (builders reuse objects, e.g. a JSON string). */
  private readonly auxFor = new Map<Expr, number>();
  private size = 0;

  constructor(private readonly grammar: Grammar) {}

  run(): FlatGrammar {
    for (const name of this.grammar.rules.keys()) this.newRule(name);
    if (!this.ruleIds.has(this.grammar.root)) throw new ConstraintError(`grammar has no root rule "${this.grammar.root}"`);
    for (const [name, body] of this.grammar.rules) this.alts[this.ruleIds.get(name)!] = this.lowerAlts(body);
    checkLeftRecursion(this.alts, this.ruleNames);
    const elems: number[] = [];
    const ruleAlts = this.alts.map((alts) => Int32Array.from(alts, (atoms) => {
      const start = elems.length;
      elems.push(...atoms, END);
      return start;
    }));
    return { elems: Int32Array.from(elems), classes: this.classes, ruleAlts, ruleNames: this.ruleNames, root: this.ruleIds.get(this.grammar.root)! };
  }

  private newRule(name: string): number {
    const id = this.ruleNames.length;
    this.ruleIds.set(name, id);
    this.ruleNames.push(name);
    this.alts.push([]);
    return id;
  }

  private aux(alts: Atom[][]): Atom {
    const id = this.newRule(`_aux${this.ruleNames.length}`);
    for (const atoms of alts) this.grow(atoms);
    this.alts[id] = alts;
    return -(id + 2);
  }

  private lowerAlts(e: Expr): Atom[][] {
    return e.type === 'alt' ? e.options.flatMap((o) => this.lowerAlts(o)) : [this.lowerSeq(e)];
  }

  private lowerSeq(e: Expr): Atom[] {
    switch (e.type) {
      case 'chars': return this.grow([this.classId(e.ranges)]);
      case 'literal': return this.grow([...e.text].map((c) => { const cp = c.codePointAt(0)!; return this.classId([cp, cp]); }));
      case 'seq': return e.items.flatMap((item) => this.lowerSeq(item));
      case 'alt': return e.options.length === 1 ? this.lowerSeq(e.options[0]) : [this.memo(e, () => this.aux(this.lowerAlts(e)))];
      case 'ref': {
        const id = this.ruleIds.get(e.rule);
        if (id === undefined) throw new ConstraintError(`grammar refers to undefined rule "${e.rule}"`);
        return this.grow([-(id + 2)]);
      }
      case 'repeat': return this.lowerRepeat(e.item, e.min, e.max);
    }
  }

  /** x{min,max}: x repeated min times, then a chain of optional x (or one loop rule). */
  private lowerRepeat(item: Expr, min: number, max: number): Atom[] {
    if (!(min >= 0 && max >= min && Number.isInteger(min) && (Number.isInteger(max) || max === Infinity))) {
      throw new ConstraintError(`bad repetition bounds {${min},${max}}`);
    }
    // Refused before expanding: each repetition costs at least an element and an END.
    if (this.size + (max === Infinity ? min : max) * 2 > MAX_ELEMS) tooLarge();
    const single = this.lowerSeq(item);
    const x = single.length === 1 ? single[0] : this.memo(item, () => this.aux([single]));
    const out: Atom[] = this.grow(new Array<Atom>(min).fill(x));
    if (max === Infinity) {
      const loop = this.newRule(`_loop${this.ruleNames.length}`);
      this.alts[loop] = [this.grow([x, -(loop + 2)]), []];
      out.push(-(loop + 2));
    } else if (max > min) {
      let tail: Atom | undefined;
      for (let k = 0; k < max - min; k++) tail = this.aux([tail === undefined ? [x] : [x, tail], []]);
      out.push(tail!);
    }
    return out;
  }

  private memo(e: Expr, make: () => Atom): Atom {
    let atom = this.auxFor.get(e);
    if (atom === undefined) this.auxFor.set(e, atom = make());
    return atom;
  }

  private classId(ranges: Ranges): number {
    const key = ranges.join(',');
    let id = this.classIds.get(key);
    if (id === undefined) {
      id = this.classes.length;
      this.classes.push(ranges);
      this.classIds.set(key, id);
    }
    return id;
  }

  private grow(atoms: Atom[]): Atom[] {
    this.size += atoms.length + 1;
    if (this.size > MAX_ELEMS) tooLarge();
    return atoms;
  }
}

function tooLarge(): never {
  throw new ConstraintError('grammar too large (a repetition count or string length is too big)');
}

/**
 * A rule that can reach itself again before consuming a character, other than through a
 * tail call, would grow the matcher's stack forever (A ::= A "x"): refused.
 */
function checkLeftRecursion(alts: readonly Atom[][][], names: readonly string[]): void {
  const nullable = new Array<boolean>(alts.length).fill(false);
  for (let changed = true; changed;) {
    changed = false;
    alts.forEach((rule, r) => {
      if (!nullable[r] && rule.some((atoms) => atoms.every((a) => a < 0 && nullable[-a - 2]))) changed = nullable[r] = true;
    });
  }
  const edges: number[][] = alts.map(() => []);
  const nonTail: [number, number][] = [];
  alts.forEach((rule, r) => {
    for (const atoms of rule) {
      for (let i = 0; i < atoms.length && atoms[i] < 0; i++) {
        const target = -atoms[i] - 2;
        edges[r].push(target);
        if (i < atoms.length - 1) nonTail.push([r, target]);
        if (!nullable[target]) break;
      }
    }
  });
  for (const [from, to] of nonTail) {
    const seen = new Set<number>([to]);
    const todo = [to];
    while (todo.length > 0) {
      const r = todo.pop()!;
      if (r === from) throw new ConstraintError(`grammar is left-recursive through rule "${names[from]}"`);
      for (const t of edges[r]) if (!seen.has(t)) { seen.add(t); todo.push(t); }
    }
  }
}
