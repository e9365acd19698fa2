// The matcher core: a pushdown automaton over the flat grammar, driven one UTF-8 byte at a
// time, whose configurations are interned so that it behaves like a lazily built DFA.
//
// A stack is a chain of interned nodes (position in `elems`, parent node): equal stacks are
// the same node id, so a configuration (the set of live stacks, each stopped at a character
// class) is a sorted id list and becomes one `MatchState`. A state caches its successor per
// byte, so after warm-up a token mask walk is mostly array lookups. Calls in tail position
// reuse the caller's parent (no frame), keeping loops such as `chars ::= char chars | ε` at
// constant depth, which is also what makes states repeat.
import { classContains, classHas, classIntersects } from './char-class.ts';
import { END, flattenGrammar, type FlatGrammar } from './flat-grammar.ts';
import type { Grammar } from './grammar.ts';

/** Parent of the root rule's frame: reaching END with it means the input may end here. */
const ROOT = -1;
/** Parent standing for "whatever the real stack holds below here" (see contextFree). */
const CONTEXT = -2;
/**
 * Interned states kept before the table is cleared. States already handed out stay valid
 * (they hold their successors), so clearing only costs re-deriving states later; it bounds
 * the memory of a grammar compiled once and used for many long generations.
 */
const MAX_STATES = 100_000;
/** closure flags */
const ENDS = 1;
const RETURNS = 2;

/** A matcher configuration after some bytes; immutable and shared between matchers. */
export class MatchState {
  /** Successor per byte: undefined until computed, null when the byte is refused. */
  readonly next: (MatchState | null | undefined)[] = new Array(256).fill(undefined);
  /** Token mask cached for this state (see token-masker.ts), with the vocabulary it is for. */
  mask: Uint32Array | undefined = undefined;
  maskOwner: object | undefined = undefined;

  constructor(
    /** Stack-top node ids, sorted; each node's position holds a character class. */
    readonly tops: Int32Array,
    /** The input so far is a complete sentence. */
    readonly canEnd: boolean,
    /** A context-free state (contextFree) has returned into the unknown rest of the stack. */
    readonly returns: boolean,
    /**
     * An unfinished UTF-8 character: its payload bits so far (-1 when every live stack top
     * admits whatever it turns out to be, so the bits need not be kept and states merge),
     * how many continuation bytes remain, and the range the next byte must be in (UTF-8's
     * rules against overlong forms, surrogates and code points past U+10FFFF).
     */
    readonly pendingBits: number,
    readonly pendingLeft: number,
    readonly nextLo: number,
    readonly nextHi: number,
  ) {}

  /** No byte can follow (the grammar is complete, or only a return to the context is left). */
  get isFinal(): boolean {
    return this.tops.length === 0;
  }
}

export class CompiledGrammar {
  readonly flat: FlatGrammar;
  readonly initial: MatchState;
  private readonly nodePos: number[] = [];
  private readonly nodeParent: number[] = [];
  private readonly nodeIds = new Map<number, number>();
  private readonly closures: (Int32Array | undefined)[] = [];
  private readonly closureFlags: number[] = [];
  private readonly states = new Map<string, MatchState>();
  private readonly maskHolders: MatchState[] = [];

  constructor(grammar: Grammar, readonly maskCacheLimit = 512) {
    this.flat = flattenGrammar(grammar);
    const tops: number[] = [];
    let flags = 0;
    for (const start of this.flat.ruleAlts[this.flat.root]) {
      const n = this.node(start, ROOT);
      tops.push(...this.closure(n));
      flags |= this.closureFlags[n];
    }
    this.initial = this.state(sortUnique(tops), flags, 0, 0, 0, 0);
  }

  /** How many distinct configurations have been met (grows with the input's variety). */
  get numStates(): number {
    return this.states.size;
  }

  /** The state after `byte`, or null if the grammar refuses it. */
  step(s: MatchState, byte: number): MatchState | null {
    let n = s.next[byte];
    if (n === undefined) n = s.next[byte] = this.computeStep(s, byte);
    return n;
  }

  /**
   * The state of a single stack top `top` with only its `depth` nearest frames kept and
   * CONTEXT below them: what it accepts without returning past those frames holds whatever
   * the real stack is. Equal truncations are the same state, so results can be cached.
   */
  contextFree(top: number, depth: number): MatchState {
    return this.state(Int32Array.of(this.truncate(top, depth)), 0, 0, 0, 0, 0);
  }

  /** Remembers a state that holds a cached mask, dropping the oldest beyond the limit. */
  noteMaskHolder(s: MatchState): void {
    this.maskHolders.push(s);
    if (this.maskHolders.length > this.maskCacheLimit) {
      const old = this.maskHolders.shift()!;
      old.mask = old.maskOwner = undefined;
    }
  }

  private truncate(n: number, depth: number): number {
    if (n < 0) return n;
    if (depth === 0) return CONTEXT;
    return this.node(this.nodePos[n], this.truncate(this.nodeParent[n], depth - 1));
  }

  private computeStep(s: MatchState, b: number): MatchState | null {
    if (s.pendingLeft === 0) {
      if (b < 0x80) return this.advance(s, b, false);
      // Lead byte: payload bits, continuation bytes to come, range of the next byte.
      if (b >= 0xc2 && b <= 0xdf) return this.pending(s, b & 0x1f, 1, 0x80, 0xbf);
      if (b >= 0xe0 && b <= 0xef) return this.pending(s, b & 0x0f, 2, b === 0xe0 ? 0xa0 : 0x80, b === 0xed ? 0x9f : 0xbf);
      if (b >= 0xf0 && b <= 0xf4) return this.pending(s, b & 0x07, 3, b === 0xf0 ? 0x90 : 0x80, b === 0xf4 ? 0x8f : 0xbf);
      return null;
    }
    if (b < s.nextLo || b > s.nextHi) return null;
    const left = s.pendingLeft - 1;
    const bits = s.pendingBits < 0 ? -1 : (s.pendingBits << 6) | (b & 0x3f);
    if (left > 0) return this.pending(s, bits, left, 0x80, 0xbf);
    return s.pendingBits < 0 ? this.advance(s, 0, true) : this.advance(s, bits, false);
  }

  /**
   * Mid-character: keeps the stack tops whose class admits some code point starting with
   * these bits. When each kept class admits all of them, the bits are dropped (-1).
   */
  private pending(s: MatchState, bits: number, left: number, nextLo: number, nextHi: number): MatchState | null {
    if (bits < 0) return this.state(s.tops, 0, -1, left, nextLo, nextHi);
    // The code points this prefix can still become: exact, because the next byte's range
    // carries UTF-8's limits and every later byte may be anything in 0x80..0xbf.
    const tail = 2 ** (6 * (left - 1));
    const lo = ((bits << 6) | (nextLo & 0x3f)) * tail;
    const hi = ((bits << 6) | (nextHi & 0x3f)) * tail + tail - 1;
    const { elems, classes } = this.flat;
    const kept: number[] = [];
    let whole = true;
    for (const t of s.tops) {
      const ranges = classes[elems[this.nodePos[t]]];
      if (!classIntersects(ranges, lo, hi)) continue;
      kept.push(t);
      whole &&= classContains(ranges, lo, hi);
    }
    if (kept.length === 0) return null;
    return this.state(Int32Array.from(kept), 0, whole ? -1 : bits, left, nextLo, nextHi);
  }

  /** Reads code point `cp` (or, with `any`, whichever: every top admits it). */
  private advance(s: MatchState, cp: number, any: boolean): MatchState | null {
    const { elems, classes } = this.flat;
    let tops: number[] | Int32Array | undefined;
    let merged = false;
    let flags = 0;
    for (const t of s.tops) {
      const pos = this.nodePos[t];
      if (!any && !classHas(classes[elems[pos]], cp)) continue;
      const n = this.node(pos + 1, this.nodeParent[t]);
      const c = this.closure(n);
      flags |= this.closureFlags[n];
      if (tops === undefined) tops = c;
      else { tops = merged ? (tops as number[]).concat(Array.from(c)) : [...tops, ...c]; merged = true; }
    }
    if (tops === undefined || (tops.length === 0 && flags === 0)) return null;
    return this.state(merged ? sortUnique(tops as number[]) : tops as Int32Array, flags, 0, 0, 0, 0);
  }

  private state(tops: Int32Array, flags: number, bits: number, left: number, nextLo: number, nextHi: number): MatchState {
    const key = `${tops.join(',')}|${flags}|${bits}|${left}|${nextLo}|${nextHi}`;
    let s = this.states.get(key);
    if (!s && this.states.size >= MAX_STATES) this.states.clear();
    if (!s) this.states.set(key, s = new MatchState(tops, (flags & ENDS) !== 0, (flags & RETURNS) !== 0, bits, left, nextLo, nextHi));
    return s;
  }

  private node(pos: number, parent: number): number {
    const key = (parent + 3) * this.flat.elems.length + pos;
    let id = this.nodeIds.get(key);
    if (id === undefined) {
      id = this.nodePos.length;
      this.nodePos.push(pos);
      this.nodeParent.push(parent);
      this.nodeIds.set(key, id);
    }
    return id;
  }

  /**
   * Stack tops reachable from node `start` without reading a character: expanding rule
   * references and returning from finished rules. Memoized per node, with flags saying
   * whether the root rule (ENDS) or a CONTEXT frame (RETURNS) was returned from.
   */
  private closure(start: number): Int32Array {
    const hit = this.closures[start];
    if (hit) return hit;
    const { elems, ruleAlts } = this.flat;
    const tops: number[] = [];
    let flags = 0;
    const seen = new Set<number>([start]);
    const todo = [start];
    const visit = (n: number) => { if (!seen.has(n)) { seen.add(n); todo.push(n); } };
    while (todo.length > 0) {
      const n = todo.pop()!;
      const pos = this.nodePos[n];
      const e = elems[pos];
      const parent = this.nodeParent[n];
      if (e >= 0) tops.push(n);
      else if (e === END) {
        if (parent === ROOT) flags |= ENDS;
        else if (parent === CONTEXT) flags |= RETURNS;
        else visit(parent);
      } else {
        const ret = elems[pos + 1] === END ? parent : this.node(pos + 1, parent);
        for (const alt of ruleAlts[-e - 2]) visit(this.node(alt, ret));
      }
    }
    const out = sortUnique(tops);
    this.closures[start] = out;
    this.closureFlags[start] = flags;
    return out;
  }
}

export function compileGrammar(grammar: Grammar): CompiledGrammar {
  return new CompiledGrammar(grammar);
}

function sortUnique(ids: number[]): Int32Array {
  const a = Int32Array.from(ids).sort();
  let n = 0;
  for (let i = 0; i < a.length; i++) if (i === 0 || a[i] !== a[i - 1]) a[n++] = a[i];
  return n === a.length ? a : a.slice(0, n);
}
