// runtimes/node/file-source.ts: positional reads from a real file.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { openFileSource } from '../../runtimes/node/file-source.ts';
import { encodeGguf, kv, readGguf, readTensorData } from '../../src/loader/gguf/index.ts';
import { sampleTensors } from './gguf/helpers.ts';

test('node file source: reads a GGUF from disk by ranges', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'basert-gguf-'));
  try {
    const path = join(dir, 'm.gguf');
    const tensors = sampleTensors();
    await writeFile(path, encodeGguf([['general.name', kv.string('disk')]], tensors));
    const src = await openFileSource(path);
    try {
      assert.equal(src.name, path);
      const file = await readGguf(src, { chunkSize: 64 });
      for (const t of tensors) assert.deepEqual(await readTensorData(file, t.name), t.data);
      assert.equal((await src.read(src.size - 3, 10)).length, 3);
      await assert.rejects(src.read(src.size + 1, 1), /past the end/);
    } finally {
      await src.close();
    }
    await assert.rejects(openFileSource(join(dir, 'missing.gguf')), /ENOENT/);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
