import assert from 'node:assert/strict';
import { test } from 'node:test';
import { GgmlType, ggmlTypeByName, ggmlTypeInfo, ggmlTypeName, tensorByteSize } from '../../../src/loader/quant/formats.ts';

// [name as ggml prints it, id in ggml.h, block elements, block bytes]
const TABLE: [string, number, number, number][] = [
  ['f32', 0, 1, 4], ['f16', 1, 1, 2], ['q4_0', 2, 32, 18], ['q4_1', 3, 32, 20], ['q5_0', 6, 32, 22],
  ['q5_1', 7, 32, 24], ['q8_0', 8, 32, 34], ['q8_1', 9, 32, 36], ['q2_K', 10, 256, 84], ['q3_K', 11, 256, 110],
  ['q4_K', 12, 256, 144], ['q5_K', 13, 256, 176], ['q6_K', 14, 256, 210], ['q8_K', 15, 256, 292],
  ['iq2_xxs', 16, 256, 66], ['iq2_xs', 17, 256, 74], ['iq3_xxs', 18, 256, 98], ['iq1_s', 19, 256, 50],
  ['iq4_nl', 20, 32, 18], ['iq3_s', 21, 256, 110], ['iq2_s', 22, 256, 82], ['iq4_xs', 23, 256, 136],
  ['i8', 24, 1, 1], ['i16', 25, 1, 2], ['i32', 26, 1, 4], ['i64', 27, 1, 8], ['f64', 28, 1, 8],
  ['iq1_m', 29, 256, 56], ['bf16', 30, 1, 2], ['tq1_0', 34, 256, 54], ['tq2_0', 35, 256, 66],
  ['mxfp4', 39, 32, 17], ['nvfp4', 40, 64, 36], ['q1_0', 41, 128, 18], ['q2_0', 42, 64, 18],
];

test('ggml type table: ids, names and block geometry match ggml', () => {
  assert.equal(Object.keys(GgmlType).length, TABLE.length);
  for (const [name, id, blockSize, typeSize] of TABLE) {
    assert.deepEqual(ggmlTypeInfo(id), { type: id, name, blockSize, typeSize }, name);
    assert.equal(ggmlTypeName(id), name);
    assert.equal(ggmlTypeByName(name.toUpperCase()), id);
  }
  assert.equal(ggmlTypeInfo(4), undefined); // removed Q4_2
  assert.equal(ggmlTypeName(99), 'type 99');
});

test('tensorByteSize: whole blocks only', () => {
  assert.equal(tensorByteSize(GgmlType.Q4_K, 4096 * 2), 32 * 144);
  assert.equal(tensorByteSize(GgmlType.F16, 7), 14);
  assert.throws(() => tensorByteSize(GgmlType.Q8_0, 48), /48 elements are not a whole number of q8_0 blocks of 32/);
  assert.throws(() => tensorByteSize(77, 32), /unknown ggml type 77/);
});
