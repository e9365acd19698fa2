// The persisted prefix cache: the file format (in memory), files for another model or
// layout and damaged files ignored with a reason, and a save/load round trip through the
// Node FileHost and the software GPU that a restarted engine's allocate() hits.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { BlockManager } from '../../src/engine/block-manager.ts';
import { WordChecksum } from '../../src/engine/word-checksum.ts';
import {
  decodePrefixCache,
  encodePrefixCache,
  loadPrefixCache,
  prefixCacheFilePath,
  savePrefixCache,
  type PrefixCacheBlock,
  type PrefixCacheMeta,
} from '../../src/engine/prefix-cache-file.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { kvBlockBytes, readKvBlocks } from '../../src/gpu/kv-blocks.ts';
import { KvCache } from '../../src/gpu/kv-cache.ts';
import { randInts } from '../helpers/random.ts';

const meta: PrefixCacheMeta = {
  modelId: 'org/tiny-model',
  modelFingerprint: '{"hidden":64}',
  kvBits: 8,
  blockSize: 4,
  numLayers: 2,
  numKvHeads: 2,
  headDim: 8,
};
const kvBytes = kvBlockBytes(meta);
const blocks: PrefixCacheBlock[] = [
  { parent: -1, tokens: [1, 2, 3, 4], salt: '', kv: new Uint8Array(randInts(kvBytes / 4, 2 ** 32, 1).buffer) },
  { parent: 0, tokens: [5, 6, 7, 8], salt: '', kv: new Uint8Array(randInts(kvBytes / 4, 2 ** 32, 2).buffer) },
  { parent: -1, tokens: [1, 2, 3, 4], salt: 'lora-é', kv: new Uint8Array(randInts(kvBytes / 4, 2 ** 32, 3).buffer) },
  { parent: 1, tokens: [4294967295, 0, 9, 9], salt: '', kv: new Uint8Array(randInts(kvBytes / 4, 2 ** 32, 4).buffer) },
];

function concat(chunks: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(chunks.reduce((a, c) => a + c.byteLength, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return out;
}
const file = concat(encodePrefixCache(meta, blocks));

test('encode then decode gives back every block', () => {
  const got = decodePrefixCache(file, meta);
  assert.ok('blocks' in got, 'ignored' in got ? got.ignored : '');
  assert.deepEqual(
    got.blocks.map((b) => ({ ...b, kv: [...b.kv] })),
    blocks.map((b) => ({ ...b, kv: [...b.kv] })),
  );
  assert.deepEqual(decodePrefixCache(concat(encodePrefixCache(meta, [])), meta), { blocks: [] });
});

test('a file for another model or layout, or a damaged one, is ignored with a reason', () => {
  const flip = (at: number) => {
    const b = file.slice();
    b[at] ^= 0x10;
    return b;
  };
  const withVersion = file.slice();
  new DataView(withVersion.buffer).setUint32(8, 2, true);
  const cases: [string, Uint8Array, PrefixCacheMeta, RegExp][] = [
    ['another model id', file, { ...meta, modelId: 'org/other' }, /modelId "org\/tiny-model", this model has "org\/other"/],
    ['other weights', file, { ...meta, modelFingerprint: '{"hidden":65}' }, /fingerprint differs/],
    ['another KV width', file, { ...meta, kvBits: 4 }, /kvBits 8, this model has 4/],
    ['another block size', file, { ...meta, blockSize: 8 }, /blockSize 4, this model has 8/],
    ['another head layout', file, { ...meta, numKvHeads: 1, headDim: 16 }, /numKvHeads 2, this model has 1/],
    ['wrong magic', flip(0), meta, /bad magic/],
    ['another version', withVersion, meta, /format version 2, this build reads 1/],
    ['a flipped bit in the KV', flip(file.byteLength - 100), meta, /checksum mismatch/],
    ['a flipped bit in the meta', flip(20), meta, /checksum mismatch/],
    ['a flipped checksum', flip(file.byteLength - 1), meta, /checksum mismatch/],
    ['truncated by a word', file.subarray(0, file.byteLength - 4), meta, /checksum mismatch/],
    ['truncated mid-entry', file.subarray(0, 203), meta, /not whole words/],
    ['truncated to the header', file.subarray(0, 12), meta, /bad magic/],
    ['empty', new Uint8Array(0), meta, /bad magic/],
    ['another format entirely', new TextEncoder().encode('GGUF and then some bytes...'), meta, /bad magic/],
  ];
  for (const [name, bytes, expect, reason] of cases) {
    const got = decodePrefixCache(bytes, expect);
    assert.ok('ignored' in got, `${name}: not ignored`);
    assert.match(got.ignored, reason, name);
  }
});

test('decoding never throws, whatever the bytes', () => {
  // Damage that keeps the checksum valid would take an adversary or a writer bug; the
  // structure is still checked on its own: a sealed file whose entry count lies.
  const lying = encodePrefixCache(meta, blocks);
  new DataView(lying[3].buffer, lying[3].byteOffset).setUint32(0, 99, true); // numEntries
  lying.pop();
  const got = decodePrefixCache(reseal(lying), meta);
  assert.ok('ignored' in got && /runs past the end/.test(got.ignored), JSON.stringify(got));
  for (let seed = 0; seed < 50; seed++) {
    const junk = new Uint8Array(randInts(64, 256, seed));
    junk.set(new TextEncoder().encode('BSRTPFX1'));
    assert.ok('ignored' in decodePrefixCache(junk, meta));
  }
});

/** Hand-edited chunks sealed with a valid checksum (what a buggy writer could produce). */
function reseal(chunks: Uint8Array[]): Uint8Array {
  const body = concat(chunks);
  return concat([body, new Uint8Array(Uint32Array.from(new WordChecksum().update(body).digest()).buffer)]);
}

test('prefixCacheFilePath appends a file-name-safe model id', () => {
  assert.equal(prefixCacheFilePath('/var/cache/pfx', 'Qwen/Qwen3-0.6B-GGUF'), '/var/cache/pfx.Qwen--Qwen3-0.6B-GGUF');
  assert.equal(prefixCacheFilePath('c', 'a b:c\\d?*'), 'c.a_b_c_d__');
  assert.equal(prefixCacheFilePath('c', '../../etc'), 'c...--..--etc');
  assert.equal(prefixCacheFilePath('c', ''), 'c._');
});

let gpu: GpuDevice;
let dir: string;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  dir = await mkdtemp(join(tmpdir(), 'basert-pfx-'));
});
after(async () => {
  gpu.destroy();
  await rm(dir, { recursive: true, force: true });
});
const cfg = { numLayers: meta.numLayers, numKvHeads: meta.numKvHeads, headDim: meta.headDim, blockSize: meta.blockSize, numBlocks: 8, kvBits: meta.kvBits };

/** A cache whose pools hold random words, and a manager that computed two prompts into it. */
function warmEngine(): { cache: KvCache; manager: BlockManager; a: number[]; b: number[] } {
  const cache = new KvCache(gpu, cfg);
  let seed = 10;
  for (const t of [...cache.k, ...cache.v]) gpu.device.queue.writeBuffer(t.binding().buffer, 0, new Uint32Array(randInts(cache.layout.totalWords, 2 ** 32, seed++)));
  const manager = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: true });
  const a = [11, 12, 13, 14, 15, 16, 17, 18, 19, 20];
  const b = [11, 12, 13, 14, 30, 31, 32, 33, 34];
  for (const [id, p, salt] of [['a', a, ''], ['b', b, 'lora']] as const) {
    assert.ok(manager.allocate(id, p, p.length, salt));
    manager.commit(id, p, p.length);
  }
  return { cache, manager, a, b };
}

test('a saved cache is restored after a restart: allocate hits, KV bytes equal', async () => {
  const old = warmEngine();
  const path = prefixCacheFilePath(join(dir, 'pfx'), meta.modelId);
  const saved = await savePrefixCache(nodeFileHost, path, gpu, old.cache, old.manager, meta);
  assert.equal(saved.savedBlocks, 4); // a: 2 full blocks, b (salted): 2
  assert.equal(saved.bytes, (await readFile(path)).byteLength);
  const oldKv = await readKvBlocks(gpu, old.cache, [...old.manager.blockTable('a').slice(0, 2), ...old.manager.blockTable('b').slice(0, 2)]);

  const cache = new KvCache(gpu, cfg); // zero-filled, as at start-up
  const manager = new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: true });
  assert.deepEqual(await loadPrefixCache(nodeFileHost, path, gpu, cache, manager, meta), { restoredBlocks: 4 });
  assert.equal(manager.numUsedBlocks(), 0);
  assert.equal(manager.numEvictableBlocks(), 4);
  assert.deepEqual(manager.allocate('a', old.a, old.a.length + 1), { numCachedTokens: 8 });
  assert.deepEqual(manager.allocate('b', old.b, old.b.length, 'lora'), { numCachedTokens: 8 });
  assert.deepEqual(manager.allocate('c', old.b, old.b.length), { numCachedTokens: 4 }, 'unsalted: only a\'s first block');
  const newKv = await readKvBlocks(gpu, cache, [...manager.blockTable('a').slice(0, 2), ...manager.blockTable('b').slice(0, 2)]);
  newKv.forEach((kv, i) => assert.deepEqual(kv, oldKv[i], `block ${i} KV`));
  gpu.assertNoErrors('prefix cache round trip');
  old.cache.destroy();
  cache.destroy();
});

test('a file for another model, another KV width, or a damaged one changes nothing', async () => {
  const old = warmEngine();
  const path = join(dir, 'pfx.other');
  await savePrefixCache(nodeFileHost, path, gpu, old.cache, old.manager, meta);
  const good = await readFile(path);
  const fresh = (kvBits: 8 | 4 = 8) => ({
    cache: new KvCache(gpu, { ...cfg, kvBits }),
    manager: new BlockManager({ numBlocks: 8, blockSize: 4, prefixCaching: true }),
  });
  const attempts: [string, PrefixCacheMeta, RegExp, (() => Promise<void>)?][] = [
    ['another model', { ...meta, modelId: 'org/other' }, /modelId/],
    ['another KV width', { ...meta, kvBits: 4 }, /kvBits 8, this model has 4/],
    ['truncated', meta, /checksum mismatch|not whole words/, () => writeFile(path, good.subarray(0, good.byteLength - 64))],
    ['corrupt', meta, /checksum mismatch/, () => writeFile(path, Buffer.from(good.map((x, i) => (i === 500 ? x ^ 1 : x))))],
  ];
  for (const [name, expect, reason, damage] of attempts) {
    await damage?.();
    const e = fresh(expect.kvBits as 8 | 4);
    const got = await loadPrefixCache(nodeFileHost, path, gpu, e.cache, e.manager, expect);
    assert.ok('ignored' in got, `${name}: not ignored`);
    assert.match(got.ignored, reason, name);
    assert.equal(e.manager.numEvictableBlocks(), 0, name);
    assert.deepEqual(e.manager.allocate('a', old.a, old.a.length), { numCachedTokens: 0 }, name);
    const kv = await readKvBlocks(gpu, e.cache, [0, 1, 2, 3, 4, 5, 6, 7]);
    assert.ok(kv.every((k) => k.every((x) => x === 0)), `${name}: KV untouched`);
    e.cache.destroy();
  }
  const e = fresh();
  assert.deepEqual(await loadPrefixCache(nodeFileHost, join(dir, 'missing'), gpu, e.cache, e.manager, meta), { restoredBlocks: 0 });
  const asDir = await loadPrefixCache(nodeFileHost, dir, gpu, e.cache, e.manager, meta);
  assert.ok('ignored' in asDir && /is not a file/.test(asDir.ignored));
  gpu.assertNoErrors('ignored prefix caches');
  e.cache.destroy();
  old.cache.destroy();
});
