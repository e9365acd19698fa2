// The scheduler on integer token lists with a real BlockManager: which tokens each step
// carries, which blocks each sequence holds, preemption, static vs continuous batching,
// prefix hits and n > 1 forks. No GPU.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BlockManager } from '../../src/engine/block-manager.ts';
import { Scheduler, type SchedSeq, type ScheduledSeq } from '../../src/engine/scheduler.ts';

function seq(id: string, prompt: number[], forkFrom?: SchedSeq): SchedSeq & { tokens: number[] } {
  return { id, tokens: [...prompt], numComputed: 0, promptLen: prompt.length, salt: '', numCachedTokens: 0, preemptions: 0, ...(forkFrom && { forkFrom }) };
}

const range = (from: number, n: number) => Array.from({ length: n }, (_, i) => from + i);

/** What a step did, compactly: id -> [numComputed, numNew, samples]. */
function shape(batch: ScheduledSeq[]): Record<string, [number, number, boolean]> {
  return Object.fromEntries(batch.map((b) => [b.seq.id, [b.numComputed, b.numNew, b.samples]]));
}

/** Completes a step and appends token `next` to every sequence that sampled. */
function run(s: Scheduler, batch: ScheduledSeq[], next = 7): void {
  s.complete(batch);
  for (const b of batch) if (b.samples) (b.seq.tokens as number[]).push(next);
}

function make(numBlocks: number, opts: { lanes?: number; continuous?: boolean; tokenBudget?: number; prefixCaching?: boolean } = {}) {
  const blocks = new BlockManager({ numBlocks, blockSize: 4, prefixCaching: opts.prefixCaching ?? false });
  return new Scheduler(blocks, { lanes: opts.lanes ?? 8, continuous: opts.continuous ?? true, tokenBudget: opts.tokenBudget ?? 32 });
}

describe('Scheduler', () => {
  it('packs decode tokens and a chunked prefill into one step under the budget', () => {
    const s = make(64, { tokenBudget: 16 });
    const a = seq('a', range(100, 6));
    const b = seq('b', range(200, 30));
    s.add(a);
    s.add(b);
    let batch = s.schedule();
    assert.deepEqual(shape(batch), { a: [0, 6, true], b: [0, 10, false] });
    // Blocks hold each sequence's whole prompt from admission: a 2 blocks, b 8.
    assert.equal(batch[0].blockTable.length, 2);
    assert.equal(batch[1].blockTable.length, 8);
    assert.equal(new Set([...batch[0].blockTable, ...batch[1].blockTable]).size, 10);
    run(s, batch);
    batch = s.schedule();
    assert.deepEqual(shape(batch), { a: [6, 1, true], b: [10, 15, false] });
    run(s, batch);
    batch = s.schedule();
    assert.deepEqual(shape(batch), { a: [7, 1, true], b: [25, 5, true] });
    run(s, batch);
    assert.equal(a.numComputed, 8);
    assert.equal(b.numComputed, 30);
    // a's 9th token needs a third block: grown on demand.
    batch = s.schedule();
    assert.equal(batch[0].blockTable.length, 3);
    s.remove(a);
    s.remove(b);
    assert.equal(s.blocks.numUsedBlocks(), 0);
    assert.equal(s.blocks.numFreeBlocks(), 64);
  });

  it('admits in arrival order: a head that does not fit blocks those behind it', () => {
    const s = make(6);
    const a = seq('a', range(0, 16)); // 4 blocks
    const big = seq('big', range(100, 12)); // 3 blocks: does not fit beside a
    const small = seq('small', range(200, 2)); // 1 block: would fit
    for (const x of [a, big, small]) s.add(x);
    const batch = s.schedule();
    assert.deepEqual(Object.keys(shape(batch)), ['a']);
    assert.deepEqual(s.waiting.map((x) => x.id), ['big', 'small']);
    run(s, batch);
    s.remove(a);
    assert.deepEqual(Object.keys(shape(s.schedule())), ['big', 'small']);
  });

  it('preempts the most recently admitted sequence when a block runs out, and recomputes it later', () => {
    const s = make(4);
    const a = seq('a', range(0, 8)); // 2 blocks
    const b = seq('b', range(50, 8)); // 2 blocks
    s.add(a);
    s.add(b);
    run(s, s.schedule()); // both prefilled, pool full, each got a 9th token
    const batch = s.schedule(); // a needs a 3rd block: b is preempted
    assert.deepEqual(shape(batch), { a: [8, 1, true] });
    assert.equal(b.numComputed, 0);
    assert.equal(b.preemptions, 1);
    assert.equal(s.preemptions, 1);
    assert.deepEqual(s.waiting.map((x) => x.id), ['b']);
    run(s, batch);
    s.remove(a);
    // b comes back with its prompt and its generated token, all recomputed.
    assert.deepEqual(shape(s.schedule()), { b: [0, 9, true] });
  });

  it('without continuous batching admits a new batch only when the last one is done', () => {
    const s = make(64, { lanes: 2, continuous: false });
    const [a, b, c] = ['a', 'b', 'c'].map((id, i) => seq(id, range(i * 10, 3)));
    for (const x of [a, b, c]) s.add(x);
    let batch = s.schedule();
    assert.deepEqual(Object.keys(shape(batch)), ['a', 'b']);
    run(s, batch);
    s.remove(a);
    batch = s.schedule();
    assert.deepEqual(Object.keys(shape(batch)), ['b'], 'c waits although a lane is free');
    run(s, batch);
    s.remove(b);
    assert.deepEqual(Object.keys(shape(s.schedule())), ['c']);
  });

  it('with continuous batching fills a freed lane at once', () => {
    const s = make(64, { lanes: 2, continuous: true });
    const [a, b, c] = ['a', 'b', 'c'].map((id, i) => seq(id, range(i * 10, 3)));
    for (const x of [a, b, c]) s.add(x);
    run(s, s.schedule());
    s.remove(a);
    assert.deepEqual(shape(s.schedule()), { b: [3, 1, true], c: [0, 3, true] });
  });

  it('serves a repeated prefix from the cache (full blocks only, at least one token computed)', () => {
    const s = make(64, { prefixCaching: true });
    const prompt = range(300, 10);
    const a = seq('a', prompt);
    s.add(a);
    const first = s.schedule();
    run(s, first);
    s.remove(a);
    const b = seq('b', [...prompt.slice(0, 9), 999]);
    s.add(b);
    const batch = s.schedule();
    assert.deepEqual(shape(batch), { b: [8, 2, true] });
    assert.equal(b.numCachedTokens, 8);
    assert.deepEqual(batch[0].blockTable.slice(0, 2), first[0].blockTable.slice(0, 2), 'the cached blocks are reused');
    assert.equal(s.blocks.stats.hitTokens, 8);
  });

  it('forks n > 1 siblings off the first choice once it has computed the prompt', () => {
    const s = make(64);
    const prompt = range(0, 10);
    const a = seq('a', prompt);
    const a1 = seq('a1', prompt, a);
    const other = seq('x', range(500, 2));
    for (const x of [a, a1, other]) s.add(x);
    let batch = s.schedule();
    assert.deepEqual(Object.keys(shape(batch)), ['a', 'x'], 'the sibling waits; the request behind it does not');
    run(s, batch);
    batch = s.schedule();
    // Two full blocks (8 tokens) shared; the sibling computes the last 2 prompt tokens itself.
    assert.deepEqual(shape(batch).a1, [8, 2, true]);
    const ta = batch.find((b) => b.seq === a)!.blockTable;
    const t1 = batch.find((b) => b.seq === a1)!.blockTable;
    assert.deepEqual(t1.slice(0, 2), ta.slice(0, 2));
    assert.notEqual(t1[2], ta[2]);
    assert.equal(a1.numCachedTokens, 8);
    run(s, batch);
    for (const x of [a, a1, other]) s.remove(x);
    assert.equal(s.blocks.numUsedBlocks(), 0);
  });
});
