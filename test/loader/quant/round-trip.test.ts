// quantize → dequantize on Gaussian data, with the relative RMS error each format must
// stay under (measured values in comments: 16 Ki samples of N(0, 1), seed 1), plus edge
// inputs every quantizer must turn into valid, finite blocks.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { randn } from '../../helpers/random.ts';
import {
  dequantize, GgmlType, ggmlTypeInfo, ggmlTypeName, quantize, QUANTIZABLE_TYPES, canQuantize, canDequantize,
} from '../../../src/loader/quant/index.ts';

// type → max relative RMS error ‖y − x‖ / ‖x‖ (measured).
const BOUNDS: [GgmlType, number][] = [
  [GgmlType.F32, 0],
  [GgmlType.F16, 3e-4], // 2.1e-4
  [GgmlType.BF16, 2.5e-3], // 1.65e-3
  [GgmlType.Q8_0, 7e-3], // 5.3e-3
  [GgmlType.Q6_K, 0.021], // 0.0176
  [GgmlType.Q5_K, 0.042], // 0.0358
  [GgmlType.Q5_1, 0.045], // 0.0376
  [GgmlType.Q5_0, 0.05], // 0.0423
  [GgmlType.Q4_K, 0.08], // 0.0703
  [GgmlType.Q4_1, 0.09], // 0.0771
  [GgmlType.Q4_0, 0.1], // 0.0840
];

const x = randn(256 * 64, 1);

function relRms(a: Float32Array, b: Float32Array): number {
  let se = 0, sx = 0;
  for (let i = 0; i < a.length; i++) { se += (a[i] - b[i]) ** 2; sx += a[i] ** 2; }
  return Math.sqrt(se / sx);
}

test('every quantizable type has an error bound here', () => {
  assert.deepEqual([...QUANTIZABLE_TYPES].sort(), BOUNDS.map(([t]) => t).sort());
  for (const t of [GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_K, GgmlType.Q6_K]) assert.ok(canQuantize(t));
  assert.ok(canDequantize(GgmlType.Q5_K) && !canDequantize(GgmlType.IQ2_XS) && !canQuantize(GgmlType.Q2_K));
});

for (const [type, bound] of BOUNDS) {
  test(`round trip ${ggmlTypeName(type)}: relative RMS error <= ${bound}`, () => {
    const q = quantize(type, x);
    const info = ggmlTypeInfo(type)!;
    assert.equal(q.byteLength, (x.length / info.blockSize) * info.typeSize);
    const y = dequantize(type, q, x.length);
    const err = relRms(x, y);
    assert.ok(err <= bound, `${ggmlTypeName(type)} error ${err}`);
    // Quantizing what a block decodes to must reproduce that block's values.
    const again = dequantize(type, quantize(type, y), y.length);
    assert.ok(relRms(y, again) <= bound / 4, `${ggmlTypeName(type)} not stable: ${relRms(y, again)}`);
  });
}

const edge: [string, (n: number) => Float32Array][] = [
  ['zeros', (n) => new Float32Array(n)],
  ['constant', (n) => new Float32Array(n).fill(0.75)],
  ['negative constant', (n) => new Float32Array(n).fill(-3)],
  ['tiny', (n) => randn(n, 3, 1e-20)],
  ['huge', (n) => randn(n, 4, 1e4)],
  ['one spike', (n) => { const a = new Float32Array(n); a[7] = 5; return a; }],
  ['all positive', (n) => randn(n, 5).map(Math.abs)],
];

for (const [name, make] of edge) {
  test(`edge input "${name}": every format yields finite values within its bound`, () => {
    const v = make(512);
    let vmax = 0;
    for (const a of v) vmax = Math.max(vmax, Math.abs(a));
    for (const [type, bound] of BOUNDS) {
      const y = dequantize(type, quantize(type, v), v.length);
      for (let i = 0; i < y.length; i++) {
        assert.ok(Number.isFinite(y[i]), `${ggmlTypeName(type)} ${name}[${i}] = ${y[i]}`);
        // Per element, no format strays further than a quarter of the largest magnitude
        // (legacy 4-bit's worst case is max/8); tiny inputs underflow f16 scales to 0.
        assert.ok(Math.abs(y[i] - v[i]) <= Math.max(vmax * Math.max(bound * 2.5, 1e-6), 1e-7), `${ggmlTypeName(type)} ${name}[${i}]: ${y[i]} vs ${v[i]}`);
      }
      if (name === 'zeros') assert.ok(y.every((a) => a === 0), `${ggmlTypeName(type)} zeros`);
    }
  });
}

test('quantize/dequantize reject partial blocks and short buffers with clear errors', () => {
  assert.throws(() => quantize(GgmlType.Q4_K, new Float32Array(100)), /not a whole number of q4_K blocks of 256/);
  assert.throws(() => dequantize(GgmlType.Q8_0, new Uint8Array(33), 32), /need 34 bytes, got 33/);
  assert.throws(() => quantize(GgmlType.Q2_K, new Float32Array(256)), /cannot write q2_K/);
  assert.throws(() => dequantize(GgmlType.IQ4_NL, new Uint8Array(18)), /no CPU decoder for iq4_nl/);
  assert.equal(dequantize(GgmlType.Q4_0, new Uint8Array(36)).length, 64);
});

test('f16/bf16 quantizers round to nearest even and keep specials', () => {
  const v = new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, -0, Infinity, NaN, 65520, 2 ** -25]);
  const h = dequantize(GgmlType.F16, quantize(GgmlType.F16, v));
  assert.deepEqual(Array.from(h.subarray(0, 4)), [1, 1 + 2 ** -9, -0, Infinity]);
  assert.ok(Number.isNaN(h[4]));
  assert.equal(h[5], Infinity); // past the largest f16
  assert.equal(h[6], 0); // ties to even at the bottom of the subnormals
  const b = dequantize(GgmlType.BF16, quantize(GgmlType.BF16, new Float32Array([1 + 2 ** -8, 1 + 3 * 2 ** -8, NaN])));
  assert.deepEqual(Array.from(b.subarray(0, 2)), [1, 1 + 2 ** -6]);
  assert.ok(Number.isNaN(b[2]));
});
