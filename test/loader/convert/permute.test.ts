// The llama q/k row permutation: with permuted weights, GGML's interleaved rope gives the
// attention scores HF's rotate-half rope gives with the original weights.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { permuteRopeRows } from '../../../src/loader/convert/index.ts';
import { randn } from '../../helpers/random.ts';

/** y = W x for row-major W [rows, cols]. */
const matvec = (w: Float32Array, x: Float32Array, rows: number) =>
  Float64Array.from({ length: rows }, (_, r) => x.reduce((a, v, c) => a + w[r * x.length + c] * v, 0));

function ropeHalf(v: Float64Array, heads: number, d: number, pos: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < d / 2; j++) {
      const a = pos * 10000 ** (-2 * j / d), c = Math.cos(a), s = Math.sin(a);
      const x0 = v[h * d + j], x1 = v[h * d + j + d / 2];
      out[h * d + j] = x0 * c - x1 * s;
      out[h * d + j + d / 2] = x1 * c + x0 * s;
    }
  }
  return out;
}

function ropeInterleaved(v: Float64Array, heads: number, d: number, pos: number): Float64Array {
  const out = new Float64Array(v.length);
  for (let h = 0; h < heads; h++) {
    for (let j = 0; j < d / 2; j++) {
      const a = pos * 10000 ** (-2 * j / d), c = Math.cos(a), s = Math.sin(a);
      const x0 = v[h * d + 2 * j], x1 = v[h * d + 2 * j + 1];
      out[h * d + 2 * j] = x0 * c - x1 * s;
      out[h * d + 2 * j + 1] = x1 * c + x0 * s;
    }
  }
  return out;
}

test('permuted q/k under interleaved rope give the scores of rotate-half rope (GQA)', () => {
  const hidden = 24, heads = 4, kvHeads = 2, d = 8;
  const wq = randn(heads * d * hidden, 1), wk = randn(kvHeads * d * hidden, 2);
  const pq = permuteRopeRows(wq, heads, hidden), pk = permuteRopeRows(wk, kvHeads, hidden);
  const xq = randn(hidden, 3), xk = randn(hidden, 4);
  const hfQ = ropeHalf(matvec(wq, xq, heads * d), heads, d, 7), hfK = ropeHalf(matvec(wk, xk, kvHeads * d), kvHeads, d, 3);
  const gQ = ropeInterleaved(matvec(pq, xq, heads * d), heads, d, 7), gK = ropeInterleaved(matvec(pk, xk, kvHeads * d), kvHeads, d, 3);
  for (let h = 0; h < heads; h++) {
    const kv = Math.floor(h / (heads / kvHeads));
    const a = hfQ.subarray(h * d, h * d + d).reduce((s, v, i) => s + v * hfK[kv * d + i], 0);
    const b = gQ.subarray(h * d, h * d + d).reduce((s, v, i) => s + v * gK[kv * d + i], 0);
    assert.ok(Math.abs(a - b) < 1e-9 * Math.max(1, Math.abs(a)), `head ${h}: ${a} vs ${b}`);
  }
  assert.notDeepEqual(pq, wq); // the layouts do differ
});

test('rows move as llama.cpp reshapes them; biases (row length 1) too', () => {
  // One head of width 6: rows [0 1 2 | 3 4 5] -> [0 3 1 4 2 5].
  const w = Float32Array.from({ length: 12 }, (_, i) => i); // 6 rows of 2
  assert.deepEqual([...permuteRopeRows(w, 1, 2)], [0, 1, 6, 7, 2, 3, 8, 9, 4, 5, 10, 11]);
  assert.deepEqual([...permuteRopeRows(Float32Array.of(0, 1, 2, 3, 4, 5, 6, 7), 2, 1)], [0, 2, 1, 3, 4, 6, 5, 7]);
  assert.throws(() => permuteRopeRows(new Float32Array(6), 2, 1), /even head width/);
});
