// BlockManager with integer token lists and asserted block ids; no GPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BlockManager } from '../../src/engine/block-manager.ts';
import { rng } from '../helpers/random.ts';

const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

function refs(m: BlockManager, ids: readonly number[]): number[] {
  return ids.map((b) => m.refCount(b));
}

/** Allocates `tokens` with slots for all of them, then marks them all computed. */
function run(m: BlockManager, id: string, tokens: number[], salt?: string): number {
  const got = m.allocate(id, tokens, tokens.length, salt);
  assert.ok(got, `allocate ${id}`);
  m.commit(id, tokens, tokens.length);
  return got.numCachedTokens;
}

test('allocate, grow and free keep the books and return the pool to full', () => {
  const m = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: false });
  assert.deepEqual(m.allocate('a', range(0, 10), 10), { numCachedTokens: 0 });
  assert.deepEqual(m.blockTable('a'), [0, 1, 2]);
  assert.equal(m.grow('a', 12), true);
  assert.deepEqual(m.blockTable('a'), [0, 1, 2], 'still fits in 3 blocks');
  assert.equal(m.grow('a', 13), true);
  assert.deepEqual(m.blockTable('a'), [0, 1, 2, 3]);
  assert.deepEqual(m.allocate('b', range(0, 5), 6), { numCachedTokens: 0 });
  assert.deepEqual(m.blockTable('b'), [4, 5]);
  assert.equal(m.numUsedBlocks(), 6);
  assert.equal(m.numFreeBlocks(), 2);
  assert.equal(m.grow('a', 40), false);
  assert.deepEqual(m.blockTable('a'), [0, 1, 2, 3], 'a failed grow changes nothing');
  assert.equal(m.numFreeBlocks(), 2);

  m.free('a');
  assert.equal(m.has('a'), false);
  assert.throws(() => m.blockTable('a'), /unknown sequence a/);
  assert.deepEqual(refs(m, range(0, 8)), [0, 0, 0, 0, 1, 1, 0, 0]);
  // Freed blocks are handed out again lowest-table-index first.
  assert.ok(m.allocate('c', range(0, 9), 9));
  assert.deepEqual(m.blockTable('c'), [0, 1, 2]);
  m.free('b');
  m.free('c');
  m.free('c'); // unknown: no-op
  assert.equal(m.numUsedBlocks(), 0);
  assert.equal(m.numFreeBlocks(), 8);
  assert.deepEqual(m.stats, { queryTokens: 0, hitTokens: 0 }, 'no lookups without prefix caching');
  assert.equal(m.cachedBlocks().length, 0);
});

test('a shared prefix is served from cache across sequences', () => {
  const m = new BlockManager({ numBlocks: 16, blockSize: 4, prefixCaching: true });
  const a = range(0, 10);
  assert.equal(run(m, 'a', a), 0);
  assert.deepEqual(m.blockTable('a'), [0, 1, 2]);

  // b shares a's first two full blocks, then diverges inside the third.
  const b = [...a.slice(0, 8), 100, 101, 102];
  assert.deepEqual(m.allocate('b', b, 11), { numCachedTokens: 8 });
  assert.deepEqual(m.blockTable('b'), [0, 1, 3]);
  assert.deepEqual(refs(m, [0, 1, 2, 3]), [2, 2, 1, 1]);
  assert.equal(m.numUsedBlocks(), 4);

  // c diverges in the second block: only block 0 is shared.
  const c = [...a.slice(0, 4), 99, ...a.slice(5, 10)];
  assert.deepEqual(m.allocate('c', c, 10), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('c'), [0, 4, 5]);
  assert.deepEqual(m.stats, { queryTokens: 10 + 11 + 10, hitTokens: 12 });

  m.free('a');
  m.free('b');
  m.free('c');
  assert.equal(m.numUsedBlocks(), 0);
  assert.equal(m.numFreeBlocks(), 16);
  assert.equal(m.numEvictableBlocks(), 2, 'a\'s two full blocks stay cached');
  // A later identical prompt revives them.
  assert.deepEqual(m.allocate('d', a, 10), { numCachedTokens: 8 });
  assert.deepEqual(m.blockTable('d'), [0, 1, 4], 'the most recently freed block is reused first');
  assert.deepEqual(refs(m, [0, 1, 4]), [1, 1, 1]);
  assert.equal(m.numEvictableBlocks(), 0);
});

test('only committed (computed) full blocks are findable', () => {
  const m = new BlockManager({ numBlocks: 16, blockSize: 4, prefixCaching: true });
  const a = range(0, 12);
  // The queries extend a by one token, so a's third block is never the prompt's last.
  const q = [...a, 99];
  assert.ok(m.allocate('a', a, 12));
  assert.deepEqual(m.blockTable('a'), [0, 1, 2]);
  m.commit('a', a, 7); // block 0 full and computed, block 1 not yet
  assert.deepEqual(m.allocate('b', q, 13), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('b'), [0, 3, 4, 5]);
  m.commit('a', a, 11); // block 1 now computed, block 2 one token short
  assert.deepEqual(m.allocate('c', q, 13), { numCachedTokens: 8 });
  assert.deepEqual(m.blockTable('c'), [0, 1, 6, 7]);
  m.commit('a', a, 12);
  assert.deepEqual(m.allocate('d', q, 13), { numCachedTokens: 12 });
  assert.deepEqual(m.blockTable('d'), [0, 1, 2, 8]);
});

test('the salt separates otherwise identical prefixes', () => {
  const m = new BlockManager({ numBlocks: 16, blockSize: 4, prefixCaching: true });
  const p = range(10, 9);
  run(m, 'a', p, 'lora-1');
  assert.deepEqual(m.allocate('b', p, 9), { numCachedTokens: 0 });
  assert.deepEqual(m.allocate('c', p, 9, 'lora-2'), { numCachedTokens: 0 });
  assert.deepEqual(m.allocate('d', p, 9, 'lora-1'), { numCachedTokens: 8 });
  assert.deepEqual(m.blockTable('d').slice(0, 2), m.blockTable('a').slice(0, 2));
});

test('a whole-prompt hit recomputes the last block into a fresh one; only the blocks before it are shared', () => {
  const m = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: true });
  const p = range(0, 8);
  run(m, 'a', p);
  assert.deepEqual(m.blockTable('a'), [0, 1]);
  // Both of p's blocks are cached, but the second is recomputed in block 2, not shared.
  assert.deepEqual(m.allocate('b', p, 8), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('b'), [0, 2]);
  assert.deepEqual(refs(m, [0, 1, 2]), [2, 1, 1]);
  assert.deepEqual(m.allocate('c', p, 9), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('c'), [0, 3, 4]);
  assert.deepEqual(refs(m, [0, 1, 2, 3, 4]), [3, 1, 1, 1, 1], 'the hit block is shared; every block to write is private');
  assert.deepEqual(m.stats, { queryTokens: 24, hitTokens: 8 });
  // A one-block prompt has nothing before its last block: no hit at all.
  assert.deepEqual(m.allocate('d', range(0, 4), 4), { numCachedTokens: 0 });
  assert.deepEqual(m.blockTable('d'), [5]);
  assert.equal(m.refCount(0), 3);

  // b's recomputed block duplicates block 1's content: the index keeps block 1.
  m.commit('b', p, 8);
  assert.deepEqual(m.cachedBlocks().map((e) => e.blockId), [0, 1]);
  m.free('a');
  m.free('b');
  assert.deepEqual(m.evictionOrder(), [1], 'the duplicate went to the free list, the indexed block to the LRU list');
  assert.equal(m.numFreeBlocks(), 4, 'blocks 6, 7 and 2 free, 1 evictable');
  assert.deepEqual(m.allocate('e', [...p, 9], 9), { numCachedTokens: 8 }, 'a longer prompt still shares block 1');
  assert.deepEqual(m.blockTable('e'), [0, 1, 2]);
});

test('eviction takes the least recently used block, chains from the tail', () => {
  const m = new BlockManager({ numBlocks: 6, blockSize: 2, prefixCaching: true });
  const a = [1, 2, 3, 4];
  const b = [5, 6, 7, 8];
  // a plus one token: both of a's blocks can hit (a whole-prompt hit would recompute the last).
  const a9 = [...a, 9];
  run(m, 'a', a);
  run(m, 'b', b);
  assert.deepEqual(m.blockTable('a'), [0, 1]);
  assert.deepEqual(m.blockTable('b'), [2, 3]);
  m.free('a');
  m.free('b');
  // Tail first, so a chain's last block is evicted before the prefix it extends.
  assert.deepEqual(m.evictionOrder(), [1, 0, 3, 2]);
  assert.equal(m.numFreeBlocks(), 6);

  // Reusing a's blocks makes them the most recently used.
  assert.deepEqual(m.allocate('a2', a9, 5), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('a2'), [0, 1, 4]);
  m.free('a2'); // block 4 was never committed: straight to the free list
  assert.deepEqual(m.evictionOrder(), [3, 2, 1, 0]);

  // Fresh blocks take the 2 free ones, then evict b's chain, tail first.
  assert.ok(m.allocate('x', [9, 9, 9, 9, 9, 9, 9], 7));
  assert.deepEqual(m.blockTable('x'), [4, 5, 3, 2]);
  assert.deepEqual(m.evictionOrder(), [1, 0]);
  m.free('x'); // never committed: straight to the free list
  assert.deepEqual(m.evictionOrder(), [1, 0]);
  assert.deepEqual(m.allocate('b2', b, 4), { numCachedTokens: 0 }, 'b was evicted');
  assert.deepEqual(m.blockTable('b2'), [4, 5], 'free blocks go before evicting cached ones');
  assert.deepEqual(m.evictionOrder(), [1, 0]);
  m.free('b2');
  assert.deepEqual(m.allocate('a3', a9, 5), { numCachedTokens: 4 }, 'a survived');
  assert.deepEqual(m.blockTable('a3'), [0, 1, 4]);

  // Evicting only a chain's tail leaves its head findable.
  m.free('a3');
  assert.deepEqual(m.evictionOrder(), [1, 0]);
  assert.ok(m.allocate('y', range(50, 9), 9)); // 4 free + 1 evicted (block 1)
  assert.deepEqual(m.blockTable('y'), [4, 5, 3, 2, 1]);
  assert.deepEqual(m.evictionOrder(), [0]);
  assert.deepEqual(m.cachedBlocks(), [{ blockId: 0, parent: -1, tokens: [1, 2], salt: '' }]);
  assert.equal(m.allocate('z', [9, 9, 9], 3), null, 'pool exhausted: 1 block left, 2 needed');
  m.free('y');
  assert.deepEqual(m.allocate('a5', a, 4), { numCachedTokens: 2 }, 'head hit, tail recomputed');
  assert.deepEqual(m.blockTable('a5'), [0, 4]);
});

test('fork shares full blocks; each sequence frees its own references', () => {
  const m = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: false });
  assert.ok(m.allocate('p', range(0, 10), 10));
  assert.deepEqual(m.blockTable('p'), [0, 1, 2]);
  assert.equal(m.fork('p', 'q', 10), 8);
  assert.deepEqual(m.blockTable('q'), [0, 1]);
  assert.deepEqual(refs(m, [0, 1, 2]), [2, 2, 1]);
  assert.equal(m.grow('q', 12), true);
  assert.deepEqual(m.blockTable('q'), [0, 1, 3]);
  assert.equal(m.numUsedBlocks(), 4);
  m.free('p');
  assert.deepEqual(refs(m, [0, 1, 2, 3]), [1, 1, 0, 1]);
  assert.equal(m.numUsedBlocks(), 3);
  assert.equal(m.numFreeBlocks(), 5);
  m.free('q');
  assert.equal(m.numUsedBlocks(), 0);
  assert.equal(m.numFreeBlocks(), 8);
  assert.throws(() => m.fork('p', 'r', 4), /unknown sequence p/);
});

test('a fork commits its own blocks onto the shared chain', () => {
  const m = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: true });
  const p = range(0, 10);
  assert.ok(m.allocate('p', p, 10));
  assert.equal(m.fork('p', 'q', 9), 8); // before p computed anything
  const q = [...p.slice(0, 8), 50, 51, 52, 53];
  assert.equal(m.grow('q', 12), true);
  assert.deepEqual(m.blockTable('q'), [0, 1, 3]);
  m.commit('p', p, 10);
  m.commit('q', q, 12);
  // One token past q, so q's own third block (3) is shared, not recomputed.
  assert.deepEqual(m.allocate('r', [...q, 60], 13), { numCachedTokens: 12 });
  assert.deepEqual(m.blockTable('r'), [0, 1, 3, 4]);
  assert.deepEqual(refs(m, [0, 1, 2, 3, 4]), [3, 3, 1, 2, 1]);
});

test('allocate returning null changes nothing', () => {
  const m = new BlockManager({ numBlocks: 3, blockSize: 4, prefixCaching: true });
  const p = range(0, 8);
  run(m, 'a', p);
  m.free('a');
  const before = { free: m.numFreeBlocks(), order: m.evictionOrder(), stats: { ...m.stats } };
  assert.equal(before.free, 3);
  assert.deepEqual(before.order, [1, 0]);
  // The two hit blocks are evictable but cannot also serve as fresh ones: 1 block is left, 2 needed.
  assert.equal(m.allocate('b', range(0, 16), 16), null);
  assert.equal(m.allocate('c', range(50, 16), 16), null);
  // A whole-prompt hit shares block 0 only; block 1 stays evictable but 3 fresh are needed.
  assert.equal(m.allocate('d', p, 16), null);
  assert.equal(m.has('b'), false);
  assert.equal(m.has('d'), false);
  assert.equal(m.numFreeBlocks(), before.free);
  assert.equal(m.numUsedBlocks(), 0);
  assert.deepEqual(refs(m, [0, 1, 2]), [0, 0, 0]);
  assert.deepEqual(m.evictionOrder(), before.order);
  assert.deepEqual(m.stats, before.stats);
  assert.deepEqual(m.allocate('b', range(0, 12), 12), { numCachedTokens: 8 });
  assert.deepEqual(m.blockTable('b'), [0, 1, 2]);
});

test('duplicate content: the index keeps one block; the other is promoted if that one goes', () => {
  const m = new BlockManager({ numBlocks: 6, blockSize: 2, prefixCaching: true });
  const p = [1, 2, 3, 4];
  // Both allocated before either computed: no sharing possible.
  assert.ok(m.allocate('a', p, 4));
  assert.ok(m.allocate('b', p, 4));
  assert.deepEqual(m.blockTable('b'), [2, 3]);
  m.commit('a', p, 4);
  m.commit('b', p, 4);
  assert.deepEqual(m.cachedBlocks().map((e) => e.blockId), [0, 1]);
  m.free('a');
  assert.deepEqual(m.evictionOrder(), [1, 0]);
  // Evict a's copy while b still holds its own.
  assert.ok(m.allocate('x', [9, 9, 9, 9], 4));
  assert.deepEqual(m.blockTable('x'), [4, 5]);
  assert.ok(m.grow('x', 8));
  assert.deepEqual(m.blockTable('x'), [4, 5, 1, 0]);
  m.free('x');
  m.free('b');
  assert.deepEqual(m.evictionOrder(), [3, 2]);
  assert.deepEqual(m.allocate('c', [...p, 5], 5), { numCachedTokens: 4 });
  assert.deepEqual(m.blockTable('c'), [2, 3, 4], 'b\'s copy took over');

  // With the first copy still indexed, a freed duplicate goes straight to the free list.
  const m2 = new BlockManager({ numBlocks: 4, blockSize: 2, prefixCaching: true });
  assert.ok(m2.allocate('a', p, 4));
  assert.ok(m2.allocate('b', p, 4));
  m2.commit('a', p, 4);
  m2.commit('b', p, 4);
  m2.free('b');
  m2.free('a');
  assert.deepEqual(m2.evictionOrder(), [1, 0]);
  assert.equal(m2.numFreeBlocks(), 4);
});

test('cachedBlocks lists chains parents first; restore makes them findable again', () => {
  const m = new BlockManager({ numBlocks: 8, blockSize: 2, prefixCaching: true });
  run(m, 'a', [1, 2, 3, 4, 5]);
  run(m, 'b', [1, 2, 7, 8], 's');
  run(m, 'c', [1, 2, 3, 4, 6, 6]);
  const saved = m.cachedBlocks();
  assert.deepEqual(saved, [
    { blockId: 0, parent: -1, tokens: [1, 2], salt: '' },
    { blockId: 1, parent: 0, tokens: [3, 4], salt: '' },
    { blockId: 3, parent: -1, tokens: [1, 2], salt: 's' },
    { blockId: 4, parent: 2, tokens: [7, 8], salt: 's' },
    { blockId: 5, parent: 1, tokens: [6, 6], salt: '' },
  ]);

  const r = new BlockManager({ numBlocks: 8, blockSize: 2, prefixCaching: true });
  assert.deepEqual(r.restore(saved), [0, 1, 2, 3, 4]);
  assert.equal(r.numUsedBlocks(), 0);
  assert.equal(r.numFreeBlocks(), 8);
  assert.equal(r.numEvictableBlocks(), 5);
  assert.deepEqual(r.evictionOrder(), [4, 3, 2, 1, 0], 'children evicted before parents');
  assert.deepEqual(r.allocate('c', [1, 2, 3, 4, 6, 6, 9], 7), { numCachedTokens: 6 });
  assert.deepEqual(r.blockTable('c'), [0, 1, 4, 5]);
  assert.deepEqual(r.allocate('b', [1, 2, 7, 8, 9], 5, 's'), { numCachedTokens: 4 });
  assert.deepEqual(r.blockTable('b'), [2, 3, 6]);

  // Too few free blocks: the rest, and any child of an entry not restored, get -1.
  const small = new BlockManager({ numBlocks: 2, blockSize: 2, prefixCaching: true });
  assert.deepEqual(small.restore(saved), [0, 1, -1, -1, -1]);
  const bad = new BlockManager({ numBlocks: 8, blockSize: 2, prefixCaching: true });
  assert.deepEqual(
    bad.restore([
      { parent: -1, tokens: [1, 2, 3], salt: '' }, // wrong length
      { parent: 0, tokens: [3, 4], salt: '' }, // parent not restored
      { parent: 5, tokens: [3, 4], salt: '' }, // parent not earlier
      { parent: -1, tokens: [1, 2], salt: '' },
      { parent: -1, tokens: [1, 2], salt: '' }, // duplicate content
      { parent: 4, tokens: [3, 4], salt: '' }, // child of the duplicate: joins the indexed chain
    ]),
    [-1, -1, -1, 0, -1, 1],
  );
  assert.deepEqual(bad.allocate('x', [1, 2, 3, 4, 5], 5), { numCachedTokens: 4 });
  assert.deepEqual(new BlockManager({ numBlocks: 8, blockSize: 2, prefixCaching: false }).restore(saved), [-1, -1, -1, -1, -1]);
});

test('evicting every cached block leaves nothing behind', () => {
  const m = new BlockManager({ numBlocks: 4, blockSize: 2, prefixCaching: true });
  run(m, 'a', [1, 2, 3, 4]);
  run(m, 'b', [1, 2, 5, 6]);
  m.free('a');
  m.free('b');
  assert.equal(m.cachedBlocks().length, 3);
  assert.ok(m.allocate('x', range(100, 8), 8));
  assert.deepEqual(m.cachedBlocks(), []);
  m.free('x');
  assert.deepEqual(m.allocate('a', [1, 2, 3, 4], 4), { numCachedTokens: 0 });
});

// Random allocate/compute/fork/free against a simulated KV pool: every slot remembers what
// was computed into it, so a cache hit serving the wrong content, or any write into a block
// another sequence shares, fails; so does any drift in the books.
test('random workloads: hits serve exactly the computed content; the books balance', () => {
  for (const [seed, prefixCaching] of [[1, true], [2, true], [3, false], [4, true]] as const) {
    const r = rng(seed);
    const int = (n: number) => Math.floor(r() * n);
    const bs = 3;
    const N = 24;
    const m = new BlockManager({ numBlocks: N, blockSize: bs, prefixCaching });
    const slots = new Array<string>(N * bs).fill('');
    const seqs = new Map<string, { tokens: number[]; numComputed: number; salt: string }>();
    const bases = [range(0, 9), range(0, 5).concat([7, 7, 7, 7]), [4, 4, 4, 4, 4, 4]];
    let next = 0;
    const check = (id: string, upTo: number) => {
      const s = seqs.get(id)!;
      const table = m.blockTable(id);
      for (let i = 0; i < upTo; i++) {
        assert.equal(slots[table[Math.floor(i / bs)] * bs + (i % bs)], `${s.salt}:${s.tokens.slice(0, i + 1).join(',')}`, `seed ${seed}: ${id} slot ${i}`);
      }
    };
    for (let op = 0; op < 600; op++) {
      const ids = [...seqs.keys()];
      const pick = ids[int(ids.length)];
      const kind = int(10);
      if (kind < 3 || ids.length === 0) {
        const id = `s${next++}`;
        const tokens = [...bases[int(bases.length)].slice(0, 1 + int(9)), ...range(100 + int(3), int(4))];
        const salt = int(4) === 0 ? 'x' : '';
        const got = m.allocate(id, tokens, tokens.length, salt);
        if (!got) continue;
        assert.ok(got.numCachedTokens < tokens.length || tokens.length === 0);
        assert.equal(got.numCachedTokens % bs, 0, `seed ${seed}: hits are whole blocks`);
        seqs.set(id, { tokens, numComputed: got.numCachedTokens, salt });
        check(id, got.numCachedTokens);
      } else if (kind < 7) {
        const s = seqs.get(pick)!;
        if (s.numComputed === s.tokens.length) s.tokens.push(int(5)); // a generated token
        const upTo = Math.min(s.tokens.length, s.numComputed + 1 + int(4));
        if (!m.grow(pick, upTo)) continue;
        const table = m.blockTable(pick);
        for (let i = s.numComputed; i < upTo; i++) {
          const b = table[Math.floor(i / bs)];
          const at = b * bs + (i % bs);
          const content = `${s.salt}:${s.tokens.slice(0, i + 1).join(',')}`;
          // Hits and forks share only computed blocks, and a whole-prompt hit recomputes its
          // last block in a fresh one: every write lands in a block no other sequence holds.
          assert.equal(m.refCount(b), 1, `seed ${seed}: write into shared block ${b}`);
          slots[at] = content;
        }
        s.numComputed = upTo;
        m.commit(pick, s.tokens, upTo);
      } else if (kind < 8) {
        const s = seqs.get(pick)!;
        const id = `s${next++}`;
        const shared = m.fork(pick, id, s.numComputed);
        seqs.set(id, { tokens: s.tokens.slice(0, shared), numComputed: shared, salt: s.salt });
        check(id, shared);
      } else {
        m.free(pick);
        seqs.delete(pick);
      }
      const counts = new Array<number>(N).fill(0);
      for (const id of seqs.keys()) for (const b of m.blockTable(id)) counts[b]++;
      assert.deepEqual(range(0, N).map((b) => m.refCount(b)), counts, `seed ${seed} op ${op}: ref counts`);
      assert.equal(m.numUsedBlocks(), counts.filter((c) => c > 0).length);
      assert.equal(m.numUsedBlocks() + m.numFreeBlocks(), N);
    }
    if (prefixCaching) assert.ok(m.stats.hitTokens > 0, `seed ${seed}: some prompts hit`);
    for (const id of seqs.keys()) m.free(id);
    assert.equal(m.numFreeBlocks(), N);
    assert.equal(m.numUsedBlocks(), 0);
  }
});
