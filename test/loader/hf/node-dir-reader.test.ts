// runtimes/node/dir-reader.ts: a sharded HF model directory on disk.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeDirReader } from '../../../runtimes/node/dir-reader.ts';
import { openHfModelDir } from '../../../src/loader/hf/index.ts';
import { shardSafetensors, SHARD_INDEX_FILE } from '../../../src/loader/safetensors/index.ts';
import { sampleTensors } from '../safetensors/helpers.ts';
import { LLAMA32_1B_CONFIG, LLAMA32_1B_GENERATION } from './configs.ts';

test('node dir reader: list, readText, open, close; a model directory from disk', async () => {
  const path = await mkdtemp(join(tmpdir(), 'basert-hf-'));
  try {
    const tensors = sampleTensors();
    const ck = shardSafetensors(tensors, { maxShardBytes: 150 });
    await writeFile(join(path, 'config.json'), LLAMA32_1B_CONFIG);
    await writeFile(join(path, 'generation_config.json'), LLAMA32_1B_GENERATION);
    await writeFile(join(path, SHARD_INDEX_FILE), ck.indexText!);
    for (const f of ck.files) await writeFile(join(path, f.name), f.bytes);

    const dir = nodeDirReader(path);
    try {
      assert.equal(dir.name, path);
      assert.deepEqual(await dir.list(), ['config.json', 'generation_config.json', SHARD_INDEX_FILE, ...ck.files.map((f) => f.name)].sort());
      assert.equal(await dir.readText('nope.json'), null);
      assert.equal(await dir.open('nope.safetensors'), null);
      const m = await openHfModelDir(dir);
      assert.equal(m.config.family, 'llama');
      assert.deepEqual(m.generation.eosTokenIds, [128001, 128008, 128009]);
      assert.equal(m.tensors.files[0].source.name, join(path, ck.files[0].name));
      for (const t of tensors) assert.deepEqual(await m.tensors.read(t.name), t.data, t.name);
    } finally {
      await dir.close();
    }
  } finally {
    await rm(path, { recursive: true, force: true });
  }
});
