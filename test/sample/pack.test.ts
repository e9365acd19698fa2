// The words shaders/sample*.wgsl read: one Row per sequence, one Edit per changed logit.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EDIT_WORDS, packBatch, ROW_GREEDY, ROW_LOGPROBS, ROW_MIN_P, ROW_WORDS } from '../../src/sample/pack.ts';
import { samplingParams } from '../../src/sample/params.ts';
import { TokenCounts } from '../../src/sample/sequence.ts';

test('rows and edits of a mixed batch', () => {
  const n = 100;
  const p = packBatch(
    [
      { params: samplingParams({ temperature: 0 }), seed: 5, step: 2 },
      { params: samplingParams({ temperature: 0.5, top_k: 200, top_p: 0.9, min_p: 0.1, logprobs: true, top_logprobs: 4, presence_penalty: 1 }), seed: -1, step: 7, counts: new TokenCounts().addOutput(9).addOutput(3) },
      { params: samplingParams({ top_k: 10, logit_bias: { 42: -100 } }), seed: 2 ** 33, step: 0 },
    ],
    n,
  );
  const f = new Float32Array(p.rows.buffer);
  const row = (r: number) => [...p.rows.subarray(r * ROW_WORDS, (r + 1) * ROW_WORDS)];
  assert.equal(p.rows.length, 3 * ROW_WORDS);
  assert.equal(row(0)[0], ROW_GREEDY);
  assert.equal(row(1)[0], ROW_LOGPROBS | ROW_MIN_P);
  assert.equal(f[ROW_WORDS + 1], 2, 'inv_t');
  assert.equal(f[ROW_WORDS + 2], Math.fround(0.5 * Math.log(0.1)), 'min_p_off = T ln min_p');
  assert.equal(row(1)[3], 0, 'top_k >= vocab is off');
  assert.equal(f[ROW_WORDS + 4], Math.fround(0.9));
  assert.deepEqual(row(1).slice(5, 11), [0xffffffff, 0xffffffff, 7, 0, 2, 4], 'seed words, step, edits 0..2, top_n');
  assert.deepEqual(row(2).slice(3, 4), [10]);
  assert.deepEqual(row(2).slice(5, 11), [0, 2, 0, 2, 1, 0]);
  assert.equal(p.numEdits, 3);
  assert.deepEqual(p.topN, [0, 4, 0]);
  assert.equal(p.kmax, 4);
  assert.ok(p.anyLogprobs && !p.allGreedy);
  // Edits: idx = row * n + id, sorted by id per row.
  const ef = new Float32Array(p.edits.buffer);
  assert.deepEqual([0, 1, 2].map((e) => p.edits[e * EDIT_WORDS]), [100 + 3, 100 + 9, 200 + 42]);
  assert.deepEqual([...ef.subarray(0, 5)].slice(1), [0, 1, 1, 1], 'bias, mul_pos, mul_neg, sub');
  assert.equal(ef[2 * EDIT_WORDS + 1], -100);
});

test('an empty edit list still packs one (unused) edit, so the binding is never empty', () => {
  const p = packBatch([{ params: samplingParams(), seed: 0, step: 0 }], 10);
  assert.equal(p.numEdits, 0);
  assert.equal(p.edits.length, EDIT_WORDS);
});
