// An intrusive LRU list over block ids 0..numBlocks-1: links live in two Int32Arrays
// (index numBlocks is the sentinel), so push, remove and pop are O(1) with no allocation.

export class BlockLru {
  private readonly prev: Int32Array;
  private readonly next: Int32Array;
  private readonly member: Uint8Array;
  private readonly head: number;
  size = 0;

  constructor(numBlocks: number) {
    this.prev = new Int32Array(numBlocks + 1);
    this.next = new Int32Array(numBlocks + 1);
    this.member = new Uint8Array(numBlocks);
    this.head = numBlocks;
    this.prev[this.head] = this.next[this.head] = this.head;
  }

  has(block: number): boolean {
    return this.member[block] === 1;
  }

  /** Appends `block` as the most recently used. */
  pushNewest(block: number): void {
    if (this.member[block]) throw new Error(`BlockLru: block ${block} is already listed`);
    const last = this.prev[this.head];
    this.prev[block] = last;
    this.next[block] = this.head;
    this.next[last] = block;
    this.prev[this.head] = block;
    this.member[block] = 1;
    this.size++;
  }

  remove(block: number): void {
    if (!this.member[block]) throw new Error(`BlockLru: block ${block} is not listed`);
    const p = this.prev[block];
    const n = this.next[block];
    this.next[p] = n;
    this.prev[n] = p;
    this.member[block] = 0;
    this.size--;
  }

  /** Removes and returns the least recently used block, or -1 when empty. */
  popOldest(): number {
    const block = this.next[this.head];
    if (block === this.head) return -1;
    this.remove(block);
    return block;
  }

  /** Block ids from least to most recently used (tests, debugging). */
  *oldestFirst(): IterableIterator<number> {
    for (let b = this.next[this.head]; b !== this.head; b = this.next[b]) yield b;
  }
}
