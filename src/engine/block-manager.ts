// The paged KV block manager: hands out block ids (each holds blockSize token slots of
// every layer's K and V) with reference counts, and shares full blocks of common prompt
// prefixes between sequences. Integers only: it never touches the GPU.
//
// Every block is in exactly one state:
//   used       refCount > 0, in some sequence's table;
//   evictable  refCount 0 and indexed by the prefix cache: on the LRU list, reusable by a
//              matching allocate() until a fresh allocation evicts it;
//   free       refCount 0, no content worth keeping: on the free stack.
// Fresh allocations take free blocks first and evict only when none are left. A sequence
// is freed tail first, so its last blocks become the least recently used and are evicted
// before the prefix they extend (a lookup walks from the first block: a chain missing its
// head is unreachable).
//
// Every operation costs O(blocks it touches), never O(pool).

import { BlockLru } from './block-lru.ts';
import { PrefixIndex, type PrefixNode } from './prefix-index.ts';

export interface BlockManagerOptions {
  numBlocks: number;
  blockSize: number;
  prefixCaching: boolean;
}

/** One cached full block, as saved to and restored from a prefix-cache file. */
export interface CachedBlockEntry {
  blockId: number;
  /** Index into the same list of the block this one extends; -1 for a first block. */
  parent: number;
  tokens: number[];
  salt: string;
}

export interface RestoreEntry {
  parent: number;
  tokens: readonly number[];
  salt: string;
}

interface SeqBlocks {
  /** Block ids; slot s of the sequence lives at blocks[s / blockSize], offset s % blockSize. */
  blocks: number[];
  /** Leading blocks already associated with a prefix node (hit, committed or shared). */
  numHashed: number;
  salt: string;
}

export class BlockManager {
  readonly numBlocks: number;
  readonly blockSize: number;
  readonly prefixCaching: boolean;
  readonly stats = { queryTokens: 0, hitTokens: 0 };

  private readonly refCounts: Int32Array;
  /** The prefix node whose content each block holds (null: none, or not yet full/computed). */
  private readonly blockNode: (PrefixNode | null)[];
  /** Free block ids; the top (end) is taken next. */
  private readonly freeStack: number[];
  private readonly evictable: BlockLru;
  private readonly index = new PrefixIndex();
  private readonly seqs = new Map<string, SeqBlocks>();
  private numUsed = 0;

  constructor(opts: BlockManagerOptions) {
    const { numBlocks, blockSize } = opts;
    if (!(Number.isInteger(numBlocks) && numBlocks >= 1)) throw new RangeError(`BlockManager: numBlocks must be a positive integer, got ${numBlocks}`);
    if (!(Number.isInteger(blockSize) && blockSize >= 1)) throw new RangeError(`BlockManager: blockSize must be a positive integer, got ${blockSize}`);
    this.numBlocks = numBlocks;
    this.blockSize = blockSize;
    this.prefixCaching = opts.prefixCaching;
    this.refCounts = new Int32Array(numBlocks);
    this.blockNode = new Array<PrefixNode | null>(numBlocks).fill(null);
    // Descending, so block 0 is handed out first.
    this.freeStack = Array.from({ length: numBlocks }, (_, i) => numBlocks - 1 - i);
    this.evictable = new BlockLru(numBlocks);
  }

  /** Blocks a new allocation could take now: free + cached-but-unreferenced (evictable). */
  numFreeBlocks(): number {
    return this.freeStack.length + this.evictable.size;
  }

  /** Blocks referenced by some sequence. */
  numUsedBlocks(): number {
    return this.numUsed;
  }

  /** Unreferenced blocks kept for the prefix cache (a part of numFreeBlocks()). */
  numEvictableBlocks(): number {
    return this.evictable.size;
  }

  /** How many sequences hold `blockId` (tests, metrics). */
  refCount(blockId: number): number {
    return this.refCounts[blockId];
  }

  /** Evictable block ids, least recently used first (tests, debugging). */
  evictionOrder(): number[] {
    return [...this.evictable.oldestFirst()];
  }

  has(seqId: string): boolean {
    return this.seqs.has(seqId);
  }

  /** The sequence's block table: the live array, valid until the next call that changes it. */
  blockTable(seqId: string): readonly number[] {
    return this.seq(seqId).blocks;
  }

  /** New sequence `seqId` whose full token list starts with `tokens` (the prompt). Reuses
   *  cached full blocks whose chained key matches (when prefixCaching), then takes fresh
   *  blocks until the table holds `numTokens` slots. At least one token is always left to
   *  compute: on a whole-prompt hit the last block is not shared but recomputed into a
   *  fresh one, so no shared block is ever written (a recomputed K/V could differ from the
   *  cached one by rounding, under sequences reading it).
   *  Returns null, changing nothing, when there are not enough blocks. */
  allocate(seqId: string, tokens: readonly number[], numTokens: number, salt = ''): { numCachedTokens: number } | null {
    if (this.seqs.has(seqId)) throw new Error(`BlockManager: sequence ${seqId} already has blocks`);
    checkCount('numTokens', numTokens);
    const bs = this.blockSize;
    const hits: number[] = [];
    let last: PrefixNode | null = null;
    if (this.prefixCaching) {
      for (let i = 0; (i + 1) * bs <= tokens.length; i++) {
        const node = this.index.get(last, salt, tokens.slice(i * bs, (i + 1) * bs));
        if (!node || node.block < 0) break;
        hits.push(node.block);
        last = node;
      }
    }
    if (hits.length > 0 && hits.length * bs === tokens.length) hits.pop();
    const numCachedTokens = hits.length * bs;
    const numNew = Math.max(0, this.blocksFor(Math.max(numTokens, numCachedTokens + 1)) - hits.length);
    // Hit blocks that sit on the evictable list stop being available to fresh allocations.
    let available = this.numFreeBlocks();
    for (const b of hits) if (this.refCounts[b] === 0) available--;
    if (numNew > available) return null;

    for (const b of hits) this.ref(b);
    const blocks = [...hits];
    for (let i = 0; i < numNew; i++) blocks.push(this.takeFresh());
    this.seqs.set(seqId, { blocks, numHashed: hits.length, salt });
    if (this.prefixCaching) {
      this.stats.queryTokens += tokens.length;
      this.stats.hitTokens += numCachedTokens;
    }
    return { numCachedTokens };
  }

  /** Grows seqId's table to hold `numTokens` slots; false and no change if blocks run out. */
  grow(seqId: string, numTokens: number): boolean {
    checkCount('numTokens', numTokens);
    const seq = this.seq(seqId);
    const numNew = this.blocksFor(numTokens) - seq.blocks.length;
    if (numNew <= 0) return true;
    if (numNew > this.numFreeBlocks()) return false;
    for (let i = 0; i < numNew; i++) seq.blocks.push(this.takeFresh());
    return true;
  }

  /** `tokens` (the sequence's full list so far) are computed up to `numComputed`: each
   *  newly full block joins the prefix index. A block whose content is already indexed
   *  under another block stays a duplicate (the index keeps the first); it is promoted if
   *  that one is evicted before the duplicate is freed. */
  commit(seqId: string, tokens: readonly number[], numComputed: number): void {
    const seq = this.seq(seqId);
    if (!this.prefixCaching) return;
    if (!(Number.isInteger(numComputed) && numComputed >= 0 && numComputed <= tokens.length)) {
      throw new RangeError(`BlockManager.commit: numComputed ${numComputed} is not within the ${tokens.length} tokens given`);
    }
    const bs = this.blockSize;
    const numFull = Math.min(Math.floor(numComputed / bs), seq.blocks.length);
    for (let i = seq.numHashed; i < numFull; i++) {
      const b = seq.blocks[i];
      if (this.blockNode[b] !== null) continue; // shared with a sequence that committed it first
      const parent = i === 0 ? null : this.blockNode[seq.blocks[i - 1]];
      const node = this.index.getOrCreate(parent, seq.salt, tokens.slice(i * bs, (i + 1) * bs));
      node.holders++;
      this.blockNode[b] = node;
      if (node.block < 0) node.block = b;
    }
    seq.numHashed = Math.max(seq.numHashed, numFull);
  }

  /** n > 1 choices: dst shares src's first floor(numTokens / blockSize) full blocks
   *  (whatever the prefixCaching flag); returns the number of shared tokens. dst then
   *  grows its own blocks for the rest. */
  fork(srcId: string, dstId: string, numTokens: number): number {
    const src = this.seq(srcId);
    if (this.seqs.has(dstId)) throw new Error(`BlockManager: sequence ${dstId} already has blocks`);
    checkCount('numTokens', numTokens);
    const n = Math.min(Math.floor(numTokens / this.blockSize), src.blocks.length);
    const blocks = src.blocks.slice(0, n);
    for (const b of blocks) this.ref(b);
    this.seqs.set(dstId, { blocks, numHashed: Math.min(src.numHashed, n), salt: src.salt });
    return n * this.blockSize;
  }

  /** Drops the sequence (no-op if unknown): ref counts down, tail first; a block reaching
   *  0 that the index holds becomes evictable (most recently used), any other is free. */
  free(seqId: string): void {
    const seq = this.seqs.get(seqId);
    if (!seq) return;
    this.seqs.delete(seqId);
    for (let i = seq.blocks.length - 1; i >= 0; i--) this.unref(seq.blocks[i]);
  }

  /** Indexed full blocks in chain order (a parent before its children), for saving. A
   *  block whose parent content is no longer indexed is left out (nothing could reach it). */
  cachedBlocks(): CachedBlockEntry[] {
    const out: CachedBlockEntry[] = [];
    const position = new Map<PrefixNode, number>();
    for (const node of this.index.values()) {
      if (node.block < 0) continue;
      const parent = node.parent === null ? -1 : (position.get(node.parent) ?? -2);
      if (parent === -2) continue;
      position.set(node, out.length);
      out.push({ blockId: node.block, parent, tokens: [...node.tokens], salt: node.salt });
    }
    return out;
  }

  /** Re-registers saved blocks into free blocks as unreferenced, evictable cache entries;
   *  returns the block id each entry got: -1 where no block was free, its parent was not
   *  restored, it is malformed, or its content was already indexed. A first block's salt
   *  is the chain's; children inherit it. Meant for start-up, but safe while sequences
   *  run: it takes only free blocks and never evicts. */
  restore(entries: readonly RestoreEntry[]): number[] {
    const ids: number[] = [];
    const nodes: (PrefixNode | null)[] = [];
    const restored: number[] = [];
    for (const [i, e] of entries.entries()) {
      ids.push(-1);
      nodes.push(null);
      const wellFormed =
        e.tokens.length === this.blockSize && e.tokens.every((t) => Number.isInteger(t) && t >= 0) && Number.isInteger(e.parent);
      const parent = e.parent === -1 ? null : e.parent >= 0 && e.parent < i ? nodes[e.parent] : undefined;
      const parentMissing = parent === undefined || (e.parent !== -1 && (parent === null || parent.block < 0));
      if (!this.prefixCaching || !wellFormed || parentMissing) continue;
      const node = this.index.getOrCreate(parent, e.salt, e.tokens);
      nodes[i] = node;
      if (node.block >= 0 || this.freeStack.length === 0) {
        this.index.release(node);
        if (node.holders === 0 && node.children === 0) nodes[i] = null;
        continue;
      }
      const b = this.freeStack.pop()!;
      node.block = b;
      node.holders++;
      this.blockNode[b] = node;
      ids[i] = b;
      restored.push(b);
    }
    // Children first on the LRU list, so eviction trims chains from the tail.
    for (let i = restored.length - 1; i >= 0; i--) this.evictable.pushNewest(restored[i]);
    return ids;
  }

  private seq(seqId: string): SeqBlocks {
    const seq = this.seqs.get(seqId);
    if (!seq) throw new Error(`BlockManager: unknown sequence ${seqId}`);
    return seq;
  }

  private blocksFor(numTokens: number): number {
    return Math.ceil(numTokens / this.blockSize);
  }

  private ref(b: number): void {
    if (this.refCounts[b]++ === 0) {
      if (this.evictable.has(b)) this.evictable.remove(b);
      this.numUsed++;
    }
  }

  private unref(b: number): void {
    if (--this.refCounts[b] > 0) return;
    this.numUsed--;
    const node = this.blockNode[b];
    if (node && node.block < 0) node.block = b; // promote a duplicate whose twin was evicted
    if (node && node.block === b) this.evictable.pushNewest(b);
    else {
      this.detach(b);
      this.freeStack.push(b);
    }
  }

  /** A block for fresh KV: a free one, else the least recently used evictable one. */
  private takeFresh(): number {
    let b = this.freeStack.pop();
    if (b === undefined) {
      b = this.evictable.popOldest();
      if (b < 0) throw new Error('BlockManager: out of blocks (callers check availability first)');
      this.detach(b);
    }
    this.refCounts[b] = 1;
    this.numUsed++;
    return b;
  }

  /** Forgets the content of block `b` (evicted, or a freed duplicate). */
  private detach(b: number): void {
    const node = this.blockNode[b];
    if (!node) return;
    this.blockNode[b] = null;
    if (node.block === b) node.block = -1;
    node.holders--;
    this.index.release(node);
  }
}

function checkCount(what: string, n: number): void {
  if (!(Number.isInteger(n) && n >= 0)) throw new RangeError(`BlockManager: ${what} must be a non-negative integer, got ${n}`);
}
