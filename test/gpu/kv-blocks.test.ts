// readKvBlocks / writeKvBlocks on the software GPU: a block's bytes are exactly its slots'
// words (and scales) in every layer's K and V pool, writes touch nothing else, 16/8/4-bit.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { kvBlockBytes, readKvBlocks, writeKvBlocks } from '../../src/gpu/kv-blocks.ts';
import { KvCache, type KvBits } from '../../src/gpu/kv-cache.ts';
import { readTensor } from '../../src/gpu/tensor.ts';
import { randInts } from '../helpers/random.ts';

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu.destroy());

/** Block b's words in one pool, gathered slot by slot from the layout kv-cache.ts documents. */
function blockWords(pool: Uint32Array, cache: KvCache, b: number): number[] {
  const { blockSize } = cache.config;
  const { numKvHeads: H, wordsPerHead: W, scaleOffset, kvBits } = cache.layout;
  const data: number[] = [];
  const scales: number[] = [];
  for (let s = b * blockSize; s < (b + 1) * blockSize; s++) {
    for (let h = 0; h < H; h++) {
      for (let w = 0; w < W; w++) data.push(pool[(s * H + h) * W + w]);
      if (kvBits < 16) scales.push(pool[scaleOffset + s * H + h]);
    }
  }
  return [...data, ...scales];
}

/** Block b's expected bytes: every layer, K then V. */
function expectedBlock(pools: { k: Uint32Array; v: Uint32Array }[], cache: KvCache, b: number): Uint8Array {
  const words = pools.flatMap((p) => [...blockWords(p.k, cache, b), ...blockWords(p.v, cache, b)]);
  return new Uint8Array(Uint32Array.from(words).buffer);
}

async function readPools(cache: KvCache): Promise<{ k: Uint32Array; v: Uint32Array }[]> {
  const out = [];
  for (let l = 0; l < cache.config.numLayers; l++) {
    out.push({ k: new Uint32Array(await readTensor(gpu, cache.k[l])), v: new Uint32Array(await readTensor(gpu, cache.v[l])) });
  }
  return out;
}

for (const kvBits of [16, 8, 4] as KvBits[]) {
  test(`${kvBits}-bit: blocks read back as written, other blocks untouched`, async () => {
    const cache = new KvCache(gpu, { numLayers: 2, numKvHeads: 2, headDim: 8, blockSize: 4, numBlocks: 6, kvBits });
    try {
      const perBlock = kvBlockBytes(cache.config);
      assert.equal(perBlock, cache.bytesPerToken() * cache.config.blockSize);
      // Fill every pool with distinct random words.
      let seed = kvBits;
      for (const t of [...cache.k, ...cache.v]) gpu.device.queue.writeBuffer(t.binding().buffer, 0, new Uint32Array(randInts(cache.layout.totalWords, 2 ** 32, seed++)));
      const initial = await readPools(cache);

      // Out of order, with a run of consecutive ids (1, 2) copied as one range.
      const got = await readKvBlocks(gpu, cache, [4, 1, 2]);
      assert.deepEqual(got.map((g) => g.byteLength), [perBlock, perBlock, perBlock]);
      [4, 1, 2].forEach((b, i) => assert.deepEqual(got[i], expectedBlock(initial, cache, b), `block ${b}`));

      const ids = [2, 3, 5];
      const data = ids.map((_, i) => new Uint8Array(randInts(perBlock / 4, 2 ** 32, 100 + i).buffer));
      writeKvBlocks(gpu, cache, ids, data);
      const back = await readKvBlocks(gpu, cache, ids);
      ids.forEach((b, i) => assert.deepEqual(back[i], data[i], `block ${b} round trip`));

      const after = await readPools(cache);
      for (let b = 0; b < 6; b++) {
        const want = ids.includes(b) ? data[ids.indexOf(b)] : expectedBlock(initial, cache, b);
        assert.deepEqual(expectedBlock(after, cache, b), want, `block ${b} in the pools`);
      }
      // Nothing outside the blocks' ranges changed: rewriting the old blocks restores the pools exactly.
      writeKvBlocks(gpu, cache, ids, ids.map((b) => expectedBlock(initial, cache, b)));
      const restored = await readPools(cache);
      restored.forEach((p, l) => {
        assert.deepEqual(p.k, initial[l].k, `layer ${l} K`);
        assert.deepEqual(p.v, initial[l].v, `layer ${l} V`);
      });
      assert.deepEqual(await readKvBlocks(gpu, cache, []), []);
      gpu.assertNoErrors('kv-blocks');
    } finally {
      cache.destroy();
    }
  });
}

test('bad block ids and byte strings are refused before any copy', async () => {
  const cache = new KvCache(gpu, { numLayers: 1, numKvHeads: 1, headDim: 8, blockSize: 2, numBlocks: 3, kvBits: 8 });
  try {
    await assert.rejects(readKvBlocks(gpu, cache, [3]), /block id 3 is outside 0..2/);
    assert.throws(() => writeKvBlocks(gpu, cache, [0], [new Uint8Array(4)]), /got 4 bytes, expected 48/);
    assert.throws(() => writeKvBlocks(gpu, cache, [0, 1], [new Uint8Array(48)]), /2 block ids but 1 byte strings/);
    gpu.assertNoErrors('kv-blocks');
  } finally {
    cache.destroy();
  }
});
