// buildBatchInfo: the per-step batch description for kv-write and attention, no GPU.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildBatchInfo, type SeqBatchEntry } from '../../src/gpu/kv-batch.ts';

// A mixed batch: A continues a prefill (13 tokens at positions 20..32, 20 cached),
// B decodes one token at position 57, C starts a 5-token prefill. Shuffled block ids.
const seqs: SeqBatchEntry[] = [
  { blockTable: [7, 2, 10], numComputed: 20, numNew: 13 },
  { blockTable: [5, 11, 0, 8], numComputed: 57, numNew: 1 },
  { blockTable: [3], numComputed: 0, numNew: 5 },
];
const range = (a: number, n: number) => Array.from({ length: n }, (_, i) => a + i);

test('tokens, positions, slots and block tables of a mixed batch', () => {
  const b = buildBatchInfo(seqs, 16);
  assert.equal(b.numTokens, 19);
  assert.equal(b.numSeqs, 3);
  assert.equal(b.maxBlocksPerSeq, 4);
  assert.deepEqual([...b.tokenPos], [...range(20, 13), 57, ...range(0, 5)]);
  assert.deepEqual([...b.tokenSeq], [...Array(13).fill(0), 1, ...Array(5).fill(2)]);
  // A: positions 20..31 in block 2 (index 1), 32 in block 10; B: 57 = block 8 offset 9.
  assert.deepEqual([...b.slotMapping], [...range(2 * 16 + 4, 12), 10 * 16, 8 * 16 + 9, ...range(3 * 16, 5)]);
  assert.deepEqual([...b.seqContextLen], [33, 58, 5]);
  assert.deepEqual([...b.seqQueryStart], [0, 13, 14]);
  assert.deepEqual([...b.blockTables], [7, 2, 10, 0, 5, 11, 0, 8, 3, 0, 0, 0]);
  // Decode token 13 goes to split-KV; the prefill chunks are tiles [seq, first row, count].
  assert.deepEqual([...b.splitTokens], [13]);
  assert.equal(b.splitMaxKeys, 58);
  assert.deepEqual([...b.tiles], [0, 0, 13, 2, 14, 5]);
  assert.equal(b.numTiles, 2);
});

test('words pack every array at its offset, positions first', () => {
  const b = buildBatchInfo(seqs, 16);
  const { words, offsets: o } = b;
  assert.equal(o.pos, 0);
  const at = (off: number, n: number) => [...words.subarray(off, off + n)];
  assert.deepEqual(at(o.pos, 19), [...b.tokenPos]);
  assert.deepEqual(at(o.seq, 19), [...b.tokenSeq]);
  assert.deepEqual(at(o.slot, 19), [...b.slotMapping]);
  assert.deepEqual(at(o.ctx, 3), [...b.seqContextLen]);
  assert.deepEqual(at(o.blockTables, 12), [...b.blockTables]);
  assert.deepEqual(at(o.split, 1), [13]);
  assert.deepEqual(at(o.tiles, 6), [...b.tiles]);
  assert.equal(words.length, o.tiles + 6);
});

test('qTile, splitMaxNew and a fixed block-table width', () => {
  const b = buildBatchInfo(seqs, 16, { qTile: 8, splitMaxNew: 0, maxBlocksPerSeq: 6 });
  assert.deepEqual([...b.splitTokens], []);
  assert.equal(b.splitMaxKeys, 0);
  assert.deepEqual([...b.tiles], [0, 0, 8, 0, 8, 5, 1, 13, 1, 2, 14, 5]);
  assert.equal(b.blockTables.length, 18);
  assert.deepEqual([...b.blockTables.subarray(6, 12)], [5, 11, 0, 8, 0, 0]);
  const all = buildBatchInfo(seqs, 16, { splitMaxNew: Infinity });
  assert.deepEqual([...all.splitTokens], range(0, 19));
  assert.equal(all.numTiles, 0);
  assert.equal(all.splitMaxKeys, 58);
});

test('a block table longer than needed is cut to what the context uses', () => {
  const b = buildBatchInfo([{ blockTable: [4, 9, 1], numComputed: 3, numNew: 2 }], 4);
  assert.equal(b.maxBlocksPerSeq, 2);
  assert.deepEqual([...b.blockTables], [4, 9]);
  assert.deepEqual([...b.slotMapping], [4 * 4 + 3, 9 * 4]);
});

test('rejects block tables that do not cover the context', () => {
  assert.throws(() => buildBatchInfo([{ blockTable: [1], numComputed: 16, numNew: 1 }], 16), /needs 2 blocks/);
  assert.throws(() => buildBatchInfo(seqs, 16, { maxBlocksPerSeq: 3 }), /maxBlocksPerSeq is 3/);
  assert.throws(() => buildBatchInfo([{ blockTable: [-1], numComputed: 0, numNew: 1 }], 16), /block id -1/);
  assert.throws(() => buildBatchInfo([{ blockTable: [0], numComputed: 0, numNew: 1.5 }], 16), /numNew 1.5/);
});
