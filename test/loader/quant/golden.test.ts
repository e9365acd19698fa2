// Golden blocks: bytes built by hand from the block layouts in ggml-common.h, with the
// values each element must decode to worked out from the format description (not from
// src/). A swapped nibble, a misplaced scale or a wrong bit order fails here.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { dequantize, GgmlType, ggmlTypeByName, ggmlTypeName, quantize } from '../../../src/loader/quant/index.ts';
import { GGML_REFERENCE, referenceInput } from './ggml-reference.ts';

const H_1 = [0x00, 0x3c], H_HALF = [0x00, 0x38], H_QUARTER = [0x00, 0x34], H_MINUS1 = [0x00, 0xbc];
const bit = (v: number, k: number) => (v >>> k) & 1;
const i8 = (v: number) => (v << 24) >> 24;

/** Nibble pattern shared by the 4/5-bit blocks: low nibble i % 16, high nibble 15 - i % 16. */
const nibbles = (n: number) => Array.from({ length: n }, (_, i) => (i % 16) | ((15 - (i % 16)) << 4));
const QH = [0x0f, 0xf0, 0x33, 0x55]; // little-endian u32 0x5533f00f
const QH32 = 0x5533f00f;

// 6-bit K-quant scales and mins for 8 sub-blocks, packed into 12 bytes as ggml does:
// bytes 0-3: sc[0..3] | sc[4..7] bits 4-5 in bits 6-7; bytes 4-7: m[0..3] | m[4..7] bits 4-5
// in bits 6-7; bytes 8-11: sc[4..7] low nibble | m[4..7] low nibble << 4.
const SC = [1, 2, 3, 63, 17, 33, 48, 5];
const MN = [0, 7, 63, 1, 20, 40, 2, 63];
const kScales = () => {
  const b = new Array(12).fill(0);
  for (let k = 0; k < 4; k++) {
    b[k] = SC[k] | ((SC[k + 4] >> 4) << 6);
    b[k + 4] = MN[k] | ((MN[k + 4] >> 4) << 6);
    b[k + 8] = (SC[k + 4] & 15) | ((MN[k + 4] & 15) << 4);
  }
  return b;
};
const kQs = Array.from({ length: 128 }, (_, i) => (i % 16) | (((i * 5) % 16) << 4));
/** The 4-bit quant of element e in a Q4_K/Q5_K block: 64 elements per 32 bytes, low nibbles first. */
const kNibble = (e: number) => {
  const j = e >> 5, byte = kQs[32 * (j >> 1) + (e & 31)];
  return j % 2 === 0 ? byte & 15 : byte >> 4;
};
const kQh = Array.from({ length: 32 }, (_, l) => (l * 37) & 0xff);

const q6Ql = Array.from({ length: 128 }, (_, i) => (i * 7) & 0xff);
const q6Qh = Array.from({ length: 64 }, (_, i) => (i * 13) & 0xff);
const q6Sc = Array.from({ length: 16 }, (_, k) => (k * 3 - 20) & 0xff);

const cases: { type: GgmlType; bytes: number[]; expect: (i: number) => number; n: number }[] = [
  { type: GgmlType.Q4_0, n: 32, bytes: [...H_HALF, ...nibbles(16)], expect: (i) => (i < 16 ? i - 8 : 15 - (i - 16) - 8) * 0.5 },
  { type: GgmlType.Q4_1, n: 32, bytes: [...H_HALF, ...H_MINUS1, ...nibbles(16)], expect: (i) => (i < 16 ? i : 31 - i) * 0.5 - 1 },
  {
    type: GgmlType.Q5_0, n: 32, bytes: [...H_QUARTER, ...QH, ...nibbles(16)],
    expect: (i) => ((i < 16 ? i : 31 - i) + 16 * bit(QH32, i) - 16) * 0.25,
  },
  {
    type: GgmlType.Q5_1, n: 32, bytes: [...H_HALF, ...H_1, ...QH, ...nibbles(16)],
    expect: (i) => ((i < 16 ? i : 31 - i) + 16 * bit(QH32, i)) * 0.5 + 1,
  },
  {
    type: GgmlType.Q8_0, n: 32, bytes: [...H_QUARTER, ...Array.from({ length: 32 }, (_, j) => (j * 8 - 128) & 0xff)],
    expect: (i) => (i * 8 - 128) * 0.25,
  },
  {
    type: GgmlType.Q4_K, n: 256, bytes: [...H_HALF, ...H_QUARTER, ...kScales(), ...kQs],
    expect: (e) => 0.5 * SC[e >> 5] * kNibble(e) - 0.25 * MN[e >> 5],
  },
  {
    type: GgmlType.Q5_K, n: 256, bytes: [...H_HALF, ...H_QUARTER, ...kScales(), ...kQh, ...kQs],
    expect: (e) => 0.5 * SC[e >> 5] * (kNibble(e) + 16 * bit(kQh[e & 31], e >> 5)) - 0.25 * MN[e >> 5],
  },
  {
    // Per 128 elements: group g = (e % 128) >> 5 reads ql[l] (g 0, 2) or ql[l + 32] (g 1, 3),
    // low nibble for g < 2, high for g >= 2; its top two bits are qh[l] bits 2g..2g+1; its
    // scale is scales[8 * half + l / 16 + 2g].
    type: GgmlType.Q6_K, n: 256, bytes: [...q6Ql, ...q6Qh, ...q6Sc, ...H_HALF],
    expect: (e) => {
      const half = e >> 7, g = (e & 127) >> 5, l = e & 31;
      const b = q6Ql[64 * half + l + (g & 1 ? 32 : 0)];
      const q = (g < 2 ? b & 15 : b >> 4) | (((q6Qh[32 * half + l] >> (2 * g)) & 3) << 4);
      return 0.5 * i8(q6Sc[8 * half + (l >> 4) + 2 * g]) * (q - 32);
    },
  },
  { type: GgmlType.F16, n: 4, bytes: [0x00, 0x3c, 0x00, 0xc0, 0x01, 0x00, 0x00, 0x7c], expect: (i) => [1, -2, 2 ** -24, Infinity][i] },
  { type: GgmlType.BF16, n: 3, bytes: [0x80, 0x3f, 0x49, 0x40, 0x80, 0xbf], expect: (i) => [1, 3.140625, -1][i] },
  { type: GgmlType.F32, n: 2, bytes: [0x00, 0x00, 0x80, 0x3f, 0x00, 0x00, 0x20, 0xc1], expect: (i) => [1, -10][i] },
];

for (const c of cases) {
  test(`golden block: ${ggmlTypeName(c.type)}`, () => {
    const got = dequantize(c.type, new Uint8Array(c.bytes), c.n);
    const want = Float32Array.from({ length: c.n }, (_, i) => c.expect(i));
    assert.deepEqual(Array.from(got), Array.from(want));
  });
}

test('golden blocks: two consecutive blocks decode independently', () => {
  const a = [...H_HALF, ...nibbles(16)], b = [...H_MINUS1, ...nibbles(16)];
  const got = dequantize(GgmlType.Q4_0, new Uint8Array([...a, ...b]), 64);
  assert.equal(got[0], -4);
  assert.equal(got[32], 8);
  assert.equal(got[63], 8); // high nibble 0 of the last byte: (0 - 8) * -1
});

for (const [name, ref] of Object.entries(GGML_REFERENCE)) {
  test(`ggml reference: ${name} quantizes byte-exact and dequantizes value-exact`, () => {
    const type = ggmlTypeByName(name)!;
    const want = Uint8Array.from(ref.hex.match(/../g)!, (h) => parseInt(h, 16));
    const n = name.endsWith('_K') ? 256 : 64;
    const x = referenceInput().subarray(0, n);
    assert.deepEqual(Buffer.from(quantize(type, x)).toString('hex'), ref.hex);
    const y = dequantize(type, want, n);
    for (const [i, v] of ref.samples) assert.equal(y[i], Math.fround(v), `${name}[${i}]`);
  });
}
