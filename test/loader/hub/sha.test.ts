// The portable SHA-256 / SHA-1 against published vectors, Web Crypto and node:crypto,
// fed in every kind of chunking (block boundaries are where such code breaks).
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { nodeHasher } from '../../../runtimes/node/hub.ts';
import { createPortableHasher, Sha1, Sha256, type Hasher } from '../../../src/loader/hub/index.ts';
import { bytes } from './helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);
const hexOf = (h: Hasher, data: Uint8Array, chunk = data.length || 1) => {
  for (let i = 0; i < data.length; i += chunk) h.update(data.subarray(i, i + chunk));
  return h.digestHex();
};
const subtleHex = async (alg: string, data: Uint8Array) =>
  Buffer.from(await crypto.subtle.digest(alg, data as Uint8Array<ArrayBuffer>)).toString('hex');

const LONG = 'abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq';
const vectors: [string, Uint8Array, string, string][] = [
  ['empty', enc(''), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855', 'da39a3ee5e6b4b0d3255bfef95601890afd80709'],
  ['abc', enc('abc'), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', 'a9993e364706816aba3e25717850c26c9cd0d89d'],
  ['448 bits', enc(LONG), '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1', '84983e441c3bd26ebaae4aa1f95129e5e54670f1'],
  ['a × 10^6', new Uint8Array(1_000_000).fill(0x61), 'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0', '34aa973cd4c4daa4f61eeb2bdbad27316534016f'],
];

test('FIPS 180 vectors, whole and byte by byte', () => {
  for (const [name, data, sha256, sha1] of vectors) {
    assert.equal(hexOf(new Sha256(), data), sha256, name);
    assert.equal(hexOf(new Sha1(), data), sha1, name);
    if (data.length < 1000) {
      assert.equal(hexOf(new Sha256(), data, 1), sha256, `${name} bytewise`);
      assert.equal(hexOf(new Sha1(), data, 1), sha1, `${name} bytewise`);
    }
  }
});

test('random data of every length near a block boundary, in odd chunks, matches Web Crypto', async () => {
  const lengths = [1, 55, 56, 57, 63, 64, 65, 119, 120, 127, 128, 129, 1000, 4096, 70_001];
  for (const [i, n] of lengths.entries()) {
    const data = bytes(n, 100 + i);
    for (const chunk of [7, 64, 1000]) {
      assert.equal(hexOf(createPortableHasher('sha256'), data, chunk), await subtleHex('SHA-256', data), `sha256 n=${n} chunk=${chunk}`);
      assert.equal(hexOf(createPortableHasher('sha1'), data, chunk), await subtleHex('SHA-1', data), `sha1 n=${n} chunk=${chunk}`);
    }
  }
});

test('the node hasher agrees, and git blob ids come out right', () => {
  const data = bytes(3000, 9);
  assert.equal(hexOf(nodeHasher('sha256'), data, 100), createHash('sha256').update(data).digest('hex'));
  // `git hash-object` of "hello\n"
  const h = new Sha1();
  h.update(enc('blob 6\0hello\n'));
  assert.equal(h.digestHex(), 'ce013625030ba8dba906f756967f9e9ca394464a');
});

test('a finished hasher refuses more input', () => {
  const h = new Sha256();
  h.digestHex();
  assert.throws(() => h.update(enc('x')), /already finished/);
});
