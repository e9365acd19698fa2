// The prefix cache's index: full KV blocks keyed by exact chained keys. A block's key is
// its parent's node id plus its token ids (a first block: the salt plus its token ids),
// so a lookup that walks from the first block can only match identical content under an
// identical prefix; there is no hash that could collide and serve wrong KV.
//
// A node is a piece of content (salt + every token up to the end of its block), not a
// block: it outlives the eviction of its block while a descendant is still cached, so a
// recomputed parent lands on the same node and its cached children become reachable
// again. A node is dropped once no block holds it and it has no child nodes.

export interface PrefixNode {
  readonly id: number;
  readonly key: string;
  readonly parent: PrefixNode | null;
  /** The block's token ids, [blockSize]. */
  readonly tokens: readonly number[];
  /** The chain's salt (kept on every node so a saved entry can carry it). */
  readonly salt: string;
  /** The block lookups return; -1 while no block is indexed for this content. */
  block: number;
  /** Blocks associated with this content: the indexed one plus duplicates still in use. */
  holders: number;
  /** Child nodes: each keeps its parent alive so its key (which names the parent id) stays valid. */
  children: number;
}

export class PrefixIndex {
  private readonly nodes = new Map<string, PrefixNode>();
  private nextId = 1;

  /** Distinct for distinct (parent, salt, tokens); node ids are never reused. */
  static key(parent: PrefixNode | null, salt: string, tokens: readonly number[]): string {
    return parent === null ? `s${salt.length}:${salt}|${tokens.join(',')}` : `${parent.id}|${tokens.join(',')}`;
  }

  get size(): number {
    return this.nodes.size;
  }

  get(parent: PrefixNode | null, salt: string, tokens: readonly number[]): PrefixNode | undefined {
    return this.nodes.get(PrefixIndex.key(parent, salt, tokens));
  }

  /** The node for this content, created (with no holders yet) if absent; the caller then
   *  associates a block with it (holders++), or calls release(). */
  getOrCreate(parent: PrefixNode | null, salt: string, tokens: readonly number[]): PrefixNode {
    const key = PrefixIndex.key(parent, salt, tokens);
    let node = this.nodes.get(key);
    if (!node) {
      node = { id: this.nextId++, key, parent, tokens: tokens.slice(), salt: parent ? parent.salt : salt, block: -1, holders: 0, children: 0 };
      if (parent) parent.children++;
      this.nodes.set(key, node);
    }
    return node;
  }

  /** Drops `node` if nothing holds it any more, then its parent likewise. */
  release(node: PrefixNode | null): void {
    while (node && node.holders === 0 && node.children === 0 && this.nodes.get(node.key) === node) {
      this.nodes.delete(node.key);
      node = node.parent;
      if (node) node.children--;
    }
  }

  /** Every node in creation order, so a parent always comes before its children (a
   *  child's key names its parent, which therefore existed first and cannot have been
   *  dropped while the child lives). */
  values(): IterableIterator<PrefixNode> {
    return this.nodes.values();
  }
}
