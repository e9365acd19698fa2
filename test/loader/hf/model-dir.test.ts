// A whole HF model directory through a DirReader: config, generation defaults, weights
// in one file or in shards, and what goes wrong when files are missing.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { memoryDirReader, openHfModelDir, readHfConfig, type DirReader } from '../../../src/loader/hf/index.ts';
import { LoaderError, type LoaderErrorCode } from '../../../src/loader/loader-error.ts';
import { encodeSafetensors, shardSafetensors, SHARD_INDEX_FILE, tensorToF32 } from '../../../src/loader/safetensors/index.ts';
import { counting, sampleTensors } from '../safetensors/helpers.ts';
import { QWEN3_06B_CONFIG, QWEN3_06B_GENERATION } from './configs.ts';

function shardedDir(name: string, extra: Record<string, Uint8Array | string> = {}): Record<string, Uint8Array | string> {
  const ck = shardSafetensors(sampleTensors(), { maxShardBytes: 150, metadata: { format: 'pt' } });
  return {
    'config.json': QWEN3_06B_CONFIG,
    [SHARD_INDEX_FILE]: ck.indexText!,
    ...Object.fromEntries(ck.files.map((f) => [f.name, f.bytes])),
    ...extra,
  };
}

test('single-file directory: config, generation defaults, tensors', async () => {
  const tensors = sampleTensors();
  const dir = memoryDirReader('hub/Qwen3-0.6B', {
    'config.json': QWEN3_06B_CONFIG,
    'generation_config.json': QWEN3_06B_GENERATION,
    'model.safetensors': encodeSafetensors(tensors, { format: 'pt' }),
    'tokenizer.json': '{}',
  });
  const m = await openHfModelDir(dir);
  assert.equal(m.config.family, 'qwen3');
  assert.equal(m.config.headDim, 128);
  assert.equal(m.rawConfig.model_type, 'qwen3');
  assert.deepEqual(m.generation.eosTokenIds, [151645, 151643]);
  assert.equal(m.generation.temperature, 0.6);
  assert.equal(m.tensors.files.length, 1);
  assert.equal(m.tensors.files[0].source.name, 'hub/Qwen3-0.6B/model.safetensors');
  const norm = m.tensors.tensors.get('model.norm.weight')!;
  assert.deepEqual(norm.shape, [6]);
  assert.deepEqual(tensorToF32(norm.dtype, await m.tensors.read(norm)), tensorToF32('F32', tensors[4].data));
});

test('sharded directory; no generation_config.json → {}', async () => {
  const m = await openHfModelDir(memoryDirReader('d', shardedDir('d')));
  assert.deepEqual(m.generation, {});
  assert.equal(m.tensors.files.length, 3);
  for (const t of sampleTensors()) assert.deepEqual(await m.tensors.read(t.name), t.data, t.name);
});

test('opening reads only JSON files and safetensors headers', async () => {
  const files = shardedDir('d');
  const inner = memoryDirReader('d', files);
  const sources: ReturnType<typeof counting>[] = [];
  const dir: DirReader = { ...inner, open: async (f) => { const s = await inner.open(f); if (!s) return null; const c = counting(s); sources.push(c); return c; } };
  const m = await openHfModelDir(dir, { firstRead: 16 });
  assert.equal(sources.length, 3);
  for (const [i, s] of sources.entries()) {
    assert.equal(s.bytesRead, m.tensors.files[i].dataOffset, s.name);
    assert.equal(s.reads, 2);
  }
});

const isErr = (code: LoaderErrorCode, file: string, re: RegExp) => (e: unknown) => {
  assert.ok(e instanceof LoaderError, String(e));
  assert.equal(e.code, code, e.message);
  assert.equal(e.file, file);
  assert.match(e.message, re);
  return true;
};

test('missing config.json', async () => {
  const files = shardedDir('d');
  delete files['config.json'];
  await assert.rejects(openHfModelDir(memoryDirReader('/models/q', files)),
    isErr('missing-file', '/models/q/config.json', /^\/models\/q\/config.json: missing: a Hugging Face model directory needs config.json/));
});

test('no weights: the error lists what the directory has and calls out .bin checkpoints', async () => {
  const dir = memoryDirReader('/models/q', { 'config.json': QWEN3_06B_CONFIG, 'pytorch_model.bin': new Uint8Array(4), 'tokenizer.json': '{}' });
  await assert.rejects(openHfModelDir(dir), isErr('missing-file', '/models/q',
    /no model.safetensors or model.safetensors.index.json in the model directory \(it has: config.json, pytorch_model.bin, tokenizer.json\); PyTorch .bin checkpoints are not supported/));
});

test('missing shard names the index and the shard', async () => {
  const files = shardedDir('d');
  delete files['model-00003-of-00003.safetensors'];
  await assert.rejects(openHfModelDir(memoryDirReader('/models/q', files)),
    isErr('missing-shard', '/models/q/model.safetensors.index.json', /shard 'model-00003-of-00003.safetensors' \(holding \d+ tensors/));
});

test('bad files inside the directory are named by their path', async () => {
  await assert.rejects(openHfModelDir(memoryDirReader('/m', shardedDir('d', { 'config.json': '{"architectures": ["BertModel"]}' }))),
    isErr('unsupported', '/m/config.json', /architecture BertModel/));
  await assert.rejects(openHfModelDir(memoryDirReader('/m', shardedDir('d', { 'generation_config.json': '{"top_p": 7}' }))),
    isErr('bad-config', '/m/generation_config.json', /"top_p"/));
  await assert.rejects(openHfModelDir(memoryDirReader('/m', shardedDir('d', { 'model-00002-of-00003.safetensors': new Uint8Array(3) }))),
    isErr('truncated', '/m/model-00002-of-00003.safetensors', /too short/));
  await assert.rejects(openHfModelDir(memoryDirReader('/m', shardedDir('d', { [SHARD_INDEX_FILE]: '{}' }))),
    isErr('bad-config', '/m/model.safetensors.index.json', /"weight_map"/));
});

test('readHfConfig alone reads only config.json', async () => {
  const read: string[] = [];
  const inner = memoryDirReader('d', { 'config.json': QWEN3_06B_CONFIG });
  const dir: DirReader = { ...inner, readText: (f) => (read.push(f), inner.readText(f)), open: () => assert.fail('opened a weight file') };
  const [config, raw] = await readHfConfig(dir);
  assert.equal(config.numLayers, 28);
  assert.equal(raw.transformers_version, '4.51.0');
  assert.deepEqual(read, ['config.json']);
});
