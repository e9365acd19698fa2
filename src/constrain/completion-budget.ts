// Keeps a constrained sequence able to finish within its token budget (max_tokens, the
// context): near the end, tokens after which a complete sentence no longer fits are
// masked, so the output is still complete when the budget runs out (a string is closed,
// open objects and arrays are closed with their required members).
//
// The way to the end from a state is a shortest byte string that completes the grammar
// (breadth-first over the matcher's byte transitions), written with the vocabulary's
// longest tokens (greedy longest match along the byte trie): its token count is an upper
// bound on what finishing takes, and that path is always allowed by the grammar's mask.
// Each state on such a path inherits the rest of it, so the bound shrinks by at least one
// per token taken along it. Only within BUDGET_ZONE tokens of the bound are tokens checked
// one by one (once per state, cached); before that the grammar's mask is used unchanged. A
// single token that raises the bound by more than the zone at the wrong moment (opening an
// object with many required members just before it) can still run out of budget; the
// sequence then ends at the limit as an unconstrained one would.
import { acceptBytes } from './char-matcher.ts';
import type { CompiledGrammar, MatchState } from './pda.ts';
import type { TokenVocab } from './token-vocab.ts';

/** How many tokens before the bound reaches the budget the masks start checking. */
export const BUDGET_ZONE = 32;
/** States one search may visit before giving up (then: no restriction from that state). */
const MAX_VISITS = 4096;
/** States whose per-token bounds are kept (least recently used dropped). */
const MAX_TOKEN_TABLES = 256;
/** Ways to the end kept before the table is cleared. */
const MAX_WAYS = 50_000;
const NONE = 0x7fffffff;

/** How to finish from a state: the bytes, and how many tokens they take. */
interface Way {
  readonly tokens: number;
  readonly bytes: Uint8Array;
}

/**
 * The bound after each allowed token of a state, compactly: most tokens share one value
 * (every character of a string leads back to the same state; free text stays free), so
 * that one is stored once and only the other tokens are listed.
 */
interface TokenTable {
  /** The bound after every allowed token not listed in `ids` (stop ids excluded). */
  readonly common: number;
  /** The other allowed tokens and the bound after each. */
  readonly ids: Int32Array;
  readonly after: Int32Array;
  readonly minAfter: number;
}

const budgets = new WeakMap<CompiledGrammar, WeakMap<TokenVocab, CompletionBudget>>();

export function budgetFor(compiled: CompiledGrammar, vocab: TokenVocab): CompletionBudget {
  let byVocab = budgets.get(compiled);
  if (!byVocab) budgets.set(compiled, byVocab = new WeakMap());
  let b = byVocab.get(vocab);
  if (!b) byVocab.set(vocab, b = new CompletionBudget(compiled, vocab));
  return b;
}

const DONE: Way = { tokens: 0, bytes: new Uint8Array(0) };

export class CompletionBudget {
  /** Bytes that a single-byte token spells (what a search may step by). */
  private readonly bytes: number[];
  private readonly ways = new Map<MatchState, Way | null>();
  private readonly tables = new Map<MatchState, TokenTable>();

  constructor(readonly compiled: CompiledGrammar, readonly vocab: TokenVocab) {
    const seen = new Set<number>();
    for (const b of vocab.tokenBytes) if (b && b.length === 1) seen.add(b[0]);
    this.bytes = [...seen].sort((a, b) => a - b);
  }

  /** Tokens that surely finish a sentence from `s` (0 when it may end); Infinity if none was found. */
  distance(s: MatchState): number {
    return this.way(s)?.tokens ?? Infinity;
  }

  /**
   * Narrows `mask` (the grammar's mask in `s`, stop ids included when it may end) to the
   * tokens after which a complete sentence still fits in `left - 1` more tokens. When none
   * does (the budget is already short), keeps those that get closest. Returns 'free' (far
   * from the limit: nothing checked), 'checked' (tokens that would not fit are gone), or
   * 'closing' (the budget is down to the way to the end: the output is being cut short).
   */
  restrict(s: MatchState, mask: Uint32Array, left: number): 'free' | 'checked' | 'closing' {
    const d = this.distance(s);
    if (!Number.isFinite(d) || left > d + BUDGET_ZONE) return 'free';
    const t = this.table(s, mask);
    const limit = Math.max(left - 1, t.minAfter);
    if (t.common > limit) {
      // Most tokens no longer fit: keep the stop ids and the listed tokens that do.
      const stops = this.vocab.stopIds.filter((id) => (mask[id >>> 5] & (1 << (id & 31))) !== 0);
      mask.fill(0);
      for (const id of stops) mask[id >>> 5] |= 1 << (id & 31);
      for (let k = 0; k < t.ids.length; k++) if (t.after[k] <= limit) mask[t.ids[k] >>> 5] |= 1 << (t.ids[k] & 31);
    } else {
      for (let k = 0; k < t.ids.length; k++) if (t.after[k] > limit) mask[t.ids[k] >>> 5] &= ~(1 << (t.ids[k] & 31));
    }
    return d > 0 && left <= d ? 'closing' : 'checked';
  }

  private way(s: MatchState): Way | null {
    if (s.canEnd) return DONE;
    const hit = this.ways.get(s);
    if (hit !== undefined) return hit;
    // Breadth-first by bytes to the nearest state that may end or whose way is known.
    const from = new Map<MatchState, { prev: MatchState; byte: number }>();
    let frontier: MatchState[] = [s];
    let found: MatchState | null = null;
    const seen = new Set<MatchState>(frontier);
    while (!found && frontier.length > 0 && seen.size < MAX_VISITS) {
      const next: MatchState[] = [];
      for (const st of frontier) {
        for (const b of this.bytes) {
          const n = this.compiled.step(st, b);
          if (n === null || seen.has(n)) continue;
          seen.add(n);
          from.set(n, { prev: st, byte: b });
          if (n.canEnd || this.ways.get(n)) { found = n; break; }
          next.push(n);
        }
        if (found) break;
      }
      frontier = next;
    }
    if (this.ways.size >= MAX_WAYS) this.ways.clear();
    if (!found) {
      this.ways.set(s, null);
      return null;
    }
    const head: number[] = [];
    for (let n = found; n !== s; n = from.get(n)!.prev) head.push(from.get(n)!.byte);
    head.reverse();
    const tail = found.canEnd ? DONE : this.ways.get(found)!;
    const bytes = new Uint8Array(head.length + tail.bytes.length);
    bytes.set(head);
    bytes.set(tail.bytes, head.length);
    this.settle(s, bytes);
    return this.ways.get(s)!;
  }

  /**
   * Writes `bytes` (a way to the end from `s`) in longest tokens and records, for `s` and
   * every state at a token boundary on it, the rest of the way (unless one as short is known).
   */
  private settle(s: MatchState, bytes: Uint8Array): void {
    const cuts = [0];
    for (let i = 0; i < bytes.length; ) {
      i += Math.max(1, this.longestToken(bytes, i));
      cuts.push(i);
    }
    let st: MatchState | null = s;
    for (let k = 0; k < cuts.length - 1 && st; k++) {
      const tokens = cuts.length - 1 - k;
      const known = this.ways.get(st);
      if (!st.canEnd && (!known || known.tokens > tokens)) this.ways.set(st, { tokens, bytes: bytes.subarray(cuts[k]) });
      st = acceptBytes(this.compiled, st, bytes.subarray(cuts[k], cuts[k + 1]));
    }
  }

  /** Length of the longest token spelling a prefix of bytes[at..]. */
  private longestToken(bytes: Uint8Array, at: number): number {
    const { numNodes, nodeByte, nodeDepth, nodeSkip, nodeTokens } = this.vocab;
    let best = 0;
    let i = 0; // first child of the current node (the root's children start at node 0)
    for (let depth = 1; at + depth - 1 < bytes.length; depth++) {
      const want = bytes[at + depth - 1];
      // Siblings of depth `depth` from node i, each subtree skipped.
      while (i < numNodes && nodeDepth[i] === depth && nodeByte[i] !== want) i = nodeSkip[i];
      if (i >= numNodes || nodeDepth[i] !== depth) break;
      if (nodeTokens[i + 1] > nodeTokens[i]) best = depth;
      i++;
    }
    return best;
  }

  /** The bound after each allowed token of `s` (the grammar's mask, as given). */
  private table(s: MatchState, mask: Uint32Array): TokenTable {
    let t = this.tables.get(s);
    if (t) {
      this.tables.delete(s); // re-inserted: Map order is recency order
    } else {
      const { tokenBytes } = this.vocab;
      const ids: number[] = [];
      const after: number[] = [];
      const freq = new Map<number, number>();
      let minAfter = NONE;
      for (let w = 0; w < mask.length; w++) {
        for (let bits = mask[w]; bits !== 0; bits &= bits - 1) {
          const id = w * 32 + 31 - Math.clz32(bits & -bits);
          const bytes = tokenBytes[id];
          if (!bytes) continue; // a stop id: ends the sequence, nothing follows
          const n = acceptBytes(this.compiled, s, bytes);
          const d = n ? this.distance(n) : Infinity;
          const a = Number.isFinite(d) ? d : NONE;
          ids.push(id);
          after.push(a);
          freq.set(a, (freq.get(a) ?? 0) + 1);
          minAfter = Math.min(minAfter, a);
        }
      }
      let common = NONE;
      let most = 0;
      for (const [a, c] of freq) if (c > most) [common, most] = [a, c];
      const keep = after.map((a) => a !== common);
      t = {
        common,
        ids: Int32Array.from(ids.filter((_, k) => keep[k])),
        after: Int32Array.from(after.filter((_, k) => keep[k])),
        minAfter,
      };
      if (this.tables.size >= MAX_TOKEN_TABLES) this.tables.delete(this.tables.keys().next().value!);
    }
    this.tables.set(s, t);
    return t;
  }
}
