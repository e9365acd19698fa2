// The mask words shaders/sample-mask.wgsl reads (src/sample/mask.ts): which rows carry a
// mask and where, refused shapes, and the CPU reference the kernel case holds it to.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { applyMaskRef, MASKED_LOGIT, maskWords, packMasks } from '../../src/sample/mask.ts';

test('packMasks: the masked rows\' indices, then their masks in that order; null when no row has one', () => {
  const n = 70; // 3 words, the last one partly padding
  assert.equal(maskWords(n), 3);
  const a = Uint32Array.of(1, 2, 3);
  const b = Uint32Array.of(0xffffffff, 0, 0x3f);
  const p = packMasks([undefined, a, undefined, b], n)!;
  assert.equal(p.count, 2);
  assert.deepEqual([...p.words], [1, 3, 1, 2, 3, 0xffffffff, 0, 0x3f]);
  assert.equal(packMasks([undefined, undefined], n), null);
  assert.throws(() => packMasks([Uint32Array.of(1, 2)], n), /row 0's mask has 2 words; 70 logits need 3/);
});

test('applyMaskRef: a cleared bit masks that logit, set bits and padding bits change nothing', () => {
  const row = Float32Array.from({ length: 40 }, (_, i) => i - 20);
  const mask = Uint32Array.of(0b1010, 0xffffffff); // ids 1 and 3 of the first word; all of ids 32..39 (+ padding)
  applyMaskRef(row, mask);
  for (let i = 0; i < 40; i++) {
    const allowed = i === 1 || i === 3 || i >= 32;
    assert.equal(row[i], allowed ? i - 20 : Math.fround(MASKED_LOGIT), `id ${i}`);
  }
  // Far below any logit, yet finite (WGSL may assume no infinities), and exp() of it vanishes.
  assert.ok(Number.isFinite(MASKED_LOGIT) && Math.exp((MASKED_LOGIT - 30) / 1e-5) === 0);
});
