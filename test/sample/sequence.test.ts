// Token history and the per-token logit edits penalties and logit_bias become.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { samplingParams } from '../../src/sample/params.ts';
import { logitEdits, TokenCounts } from '../../src/sample/sequence.ts';

test('TokenCounts keeps output counts and prompt membership apart', () => {
  const c = new TokenCounts().addPrompt([4, 4, 9]).addOutput(4).addOutput(7).addOutput(7);
  assert.deepEqual([...c.entries()].sort((a, b) => a[0] - b[0]), [[4, 1, true], [7, 2, false], [9, 0, true]]);
  assert.equal(c.outputCount(7), 2);
  assert.equal(c.outputCount(9), 0);
  assert.equal(c.size, 3);
});

test('no penalties, no bias: no edits, whatever the history', () => {
  assert.deepEqual(logitEdits(samplingParams(), new TokenCounts().addPrompt([1]).addOutput(2)), []);
});

test('presence/frequency read output counts only; repetition also reads the prompt', () => {
  const c = new TokenCounts().addPrompt([1, 2]).addOutput(2).addOutput(2).addOutput(3);
  const pf = logitEdits(samplingParams({ presence_penalty: 0.5, frequency_penalty: 0.25 }), c);
  assert.deepEqual(pf, [
    { id: 2, bias: 0, mulPos: 1, mulNeg: 1, sub: 0.25 * 2 + 0.5 },
    { id: 3, bias: 0, mulPos: 1, mulNeg: 1, sub: 0.25 + 0.5 },
  ]);
  const rep = logitEdits(samplingParams({ repetition_penalty: 2 }), c);
  assert.deepEqual(rep.map((e) => [e.id, e.mulPos, e.mulNeg, e.sub]), [[1, 0.5, 2, 0], [2, 0.5, 2, 0], [3, 0.5, 2, 0]]);
});

test('logit_bias merges into the same edit as the penalties, sorted by id', () => {
  const c = new TokenCounts().addOutput(5);
  const e = logitEdits(samplingParams({ presence_penalty: 1, logit_bias: { 5: 3, 0: -100 } }), c);
  assert.deepEqual(e, [
    { id: 0, bias: -100, mulPos: 1, mulNeg: 1, sub: 0 },
    { id: 5, bias: 3, mulPos: 1, mulNeg: 1, sub: 1 },
  ]);
});
