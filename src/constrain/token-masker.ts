// Token masks for one (grammar, vocabulary) pair, shared by every matcher of the grammar.
//
// A state's mask is assembled from per-stack-top parts that do not depend on the rest of
// the stack, the idea of xgrammar's adaptive token mask cache: for each live stack top,
// truncated to its CONTEXT_DEPTH nearest frames, one walk of the vocabulary trie sorts the
// tokens into accepted (consumed without leaving those frames: allowed whatever lies below),
// uncertain (they return below the frames with bytes left over) and refused. A state's mask
// is then the union of its tops' accepted sets plus those uncertain tokens that the full
// state accepts, checked one by one. Inside a JSON string every context shares one part, so
// a new nesting level or property costs a few thousand token checks instead of a walk of the
// whole 150k-token trie. States in the middle of a UTF-8 character (after byte tokens) are
// rare and take a full walk. Whole masks are also cached per state, as states repeat.
import type { CompiledGrammar, MatchState } from './pda.ts';
import { acceptBytes } from './char-matcher.ts';
import type { TokenVocab } from './token-vocab.ts';

/** Frames kept below a stack top: enough for a JSON string to close inside them. */
const CONTEXT_DEPTH = 3;
/**
 * Parts kept (least recently used dropped): each holds a vocabulary-wide bitset (19 KB for
 * Qwen3), and a length-bounded string makes a new part per character position.
 */
const MAX_PARTS = 1024;

interface TopPart {
  readonly accepted: Uint32Array;
  readonly uncertain: Int32Array;
}

const maskers = new WeakMap<CompiledGrammar, WeakMap<TokenVocab, TokenMasker>>();

export function maskerFor(compiled: CompiledGrammar, vocab: TokenVocab): TokenMasker {
  let byVocab = maskers.get(compiled);
  if (!byVocab) maskers.set(compiled, byVocab = new WeakMap());
  let m = byVocab.get(vocab);
  if (!m) byVocab.set(vocab, m = new TokenMasker(compiled, vocab));
  return m;
}

export class TokenMasker {
  private readonly parts = new Map<MatchState, TopPart>();

  constructor(readonly compiled: CompiledGrammar, readonly vocab: TokenVocab) {}

  /** Allowed ids after `s` into `mask` (vocab.maskWords words), stop ids excluded. */
  fill(s: MatchState, mask: Uint32Array): void {
    if (s.mask && s.maskOwner === this.vocab) { mask.set(s.mask); return; }
    mask.fill(0);
    if (s.pendingLeft > 0) walkTrie(this.compiled, this.vocab, s, mask, null);
    else if (!s.isFinal) this.fromParts(s, mask);
    s.mask = mask.slice(0, this.vocab.maskWords);
    s.maskOwner = this.vocab;
    this.compiled.noteMaskHolder(s);
  }

  private fromParts(s: MatchState, mask: Uint32Array): void {
    const parts = Array.from(s.tops, (t) => this.part(this.compiled.contextFree(t, CONTEXT_DEPTH)));
    const words = this.vocab.maskWords;
    for (const p of parts) {
      const a = p.accepted;
      for (let w = 0; w < words; w++) mask[w] |= a[w];
    }
    const { tokenBytes } = this.vocab;
    for (const p of parts) {
      for (const id of p.uncertain) {
        if ((mask[id >>> 5] & (1 << (id & 31))) !== 0) continue;
        if (acceptBytes(this.compiled, s, tokenBytes[id]!)) mask[id >>> 5] |= 1 << (id & 31);
      }
    }
  }

  private part(local: MatchState): TopPart {
    let p = this.parts.get(local);
    if (p) {
      this.parts.delete(local); // re-inserted below: Map order is recency order
    } else {
      const accepted = new Uint32Array(this.vocab.maskWords);
      const uncertain: number[] = [];
      walkTrie(this.compiled, this.vocab, local, accepted, uncertain);
      p = { accepted, uncertain: Int32Array.from(uncertain) };
      if (this.parts.size >= MAX_PARTS) this.parts.delete(this.parts.keys().next().value!);
    }
    this.parts.set(local, p);
    return p;
  }
}

/**
 * Sets the bit of every token whose bytes the grammar admits from `start`: a preorder walk
 * of the vocabulary trie carrying the state reached at each depth; a refused byte skips the
 * node's whole subtree. With `uncertain` (a context-free start), tokens that go on past a
 * point where the state returned into its context are collected there instead.
 */
function walkTrie(compiled: CompiledGrammar, vocab: TokenVocab, start: MatchState, mask: Uint32Array, uncertain: number[] | null): void {
  const { numNodes, nodeByte, nodeDepth, nodeSkip, nodeTokens, tokens } = vocab;
  const path: MatchState[] = [start];
  // returned[d]: the state at some depth <= d returned into the context.
  const returned: boolean[] = [start.returns];
  let i = 0;
  while (i < numNodes) {
    const d = nodeDepth[i];
    const parent = path[d - 1];
    const b = nodeByte[i];
    let s = parent.next[b];
    if (s === undefined) s = compiled.step(parent, b);
    if (s === null) {
      if (uncertain && returned[d - 1]) for (let k = nodeTokens[i], end = nodeTokens[nodeSkip[i]]; k < end; k++) uncertain.push(tokens[k]);
      i = nodeSkip[i];
      continue;
    }
    for (let k = nodeTokens[i], end = nodeTokens[i + 1]; k < end; k++) {
      const id = tokens[k];
      mask[id >>> 5] |= 1 << (id & 31);
    }
    const r = returned[d - 1] || s.returns;
    if (s.isFinal) {
      if (uncertain && r) for (let k = nodeTokens[i + 1], end = nodeTokens[nodeSkip[i]]; k < end; k++) uncertain.push(tokens[k]);
      i = nodeSkip[i];
      continue;
    }
    path[d] = s;
    returned[d] = r;
    i++;
  }
}
