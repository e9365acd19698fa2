// Sharded checkpoints: the writer's split and index, and one tensor lookup over shards.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bytesSource, type ByteSource } from '../../../src/loader/byte-source.ts';
import { LoaderError } from '../../../src/loader/loader-error.ts';
import {
  encodeSafetensors, openShardedSafetensors, parseShardIndex, readSafetensors, shardSafetensors, SHARD_INDEX_FILE, tensorSetOfFile,
  type ShardedCheckpoint,
} from '../../../src/loader/safetensors/index.ts';
import { sampleTensors } from './helpers.ts';

function opener(ck: ShardedCheckpoint): (f: string) => Promise<ByteSource | null> {
  const files = new Map(ck.files.map((f) => [f.name, f.bytes]));
  return async (f) => (files.has(f) ? bytesSource(`dir/${f}`, files.get(f)!) : null);
}

test('split by size: shard names, transformers-style index, every tensor readable', async () => {
  const tensors = sampleTensors();
  const ck = shardSafetensors(tensors, { maxShardBytes: 150, metadata: { format: 'pt' } });
  // 120 (embed) | 72 + 12 + 24 + 24 (q weight, q bias, two norms) | the small rest.
  assert.deepEqual(ck.files.map((f) => f.name), ['model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
  const total = tensors.reduce((a, t) => a + t.data.length, 0);
  assert.equal(ck.index!.metadata.total_size, total);
  assert.equal(ck.index!.weight_map['model.embed_tokens.weight'], 'model-00001-of-00003.safetensors');
  assert.equal(ck.index!.weight_map['model.norm.weight'], 'model-00002-of-00003.safetensors');
  const text = ck.indexText!;
  assert.ok(text.startsWith(`{\n  "metadata": {\n    "total_size": ${total}\n  },\n  "weight_map": {\n    "bytes": "model-00003-of-00003.safetensors",\n`), text);
  assert.ok(text.endsWith('"scalar": "model-00003-of-00003.safetensors"\n  }\n}\n'), text);
  assert.deepEqual(JSON.parse(text), ck.index);

  const index = parseShardIndex(SHARD_INDEX_FILE, text);
  assert.equal(index.shardFiles.length, 3);
  const set = await openShardedSafetensors(SHARD_INDEX_FILE, index, opener(ck));
  assert.equal(set.files.length, 3);
  assert.deepEqual([...set.tensors.keys()].sort(), tensors.map((t) => t.name).sort());
  for (const t of tensors) {
    const e = set.tensors.get(t.name)!;
    assert.equal(e.dtype, t.dtype);
    assert.deepEqual(e.shape, t.shape);
    assert.equal(e.file.source.name, `dir/${ck.index!.weight_map[t.name]}`);
    assert.deepEqual(await set.read(t.name), t.data);
  }
  assert.deepEqual(await set.read(set.tensors.get('model.norm.weight')!, 4, 8), tensors[4].data.subarray(4, 12));
  await assert.rejects(set.read('nope'), /model.safetensors.index.json: no tensor named 'nope'/);
});

test('a tensor bigger than the shard limit gets a shard of its own; one shard means no index', () => {
  const tensors = sampleTensors();
  const ck = shardSafetensors(tensors, { maxShardBytes: 16 });
  assert.equal(new Set(Object.values(ck.index!.weight_map)).size, ck.files.length);
  assert.ok(ck.files.length > 5);
  const one = shardSafetensors(tensors, { maxShardBytes: 5e9 });
  assert.deepEqual(one.files.map((f) => f.name), ['model.safetensors']);
  assert.equal(one.index, null);
  assert.equal(one.indexText, null);
  assert.deepEqual(one.files[0].bytes, encodeSafetensors(tensors));
});

test('index text escapes non-ASCII like Python json.dumps', () => {
  const ck = shardSafetensors([
    { name: 'é', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
    { name: 'b', dtype: 'U8', shape: [1], data: new Uint8Array(1) },
  ], { maxShardBytes: 1 });
  assert.match(ck.indexText!, /"\\u00e9": "model-00001-of-00002.safetensors"/);
});

test('single file as a tensor set', async () => {
  const tensors = sampleTensors();
  const set = tensorSetOfFile(await readSafetensors(bytesSource('m.safetensors', encodeSafetensors(tensors))));
  assert.equal(set.tensors.size, tensors.length);
  assert.deepEqual(await set.read('mask'), tensors.find((t) => t.name === 'mask')!.data);
});

const isErr = (code: string, re: RegExp) => (e: unknown) => e instanceof LoaderError && e.code === code && re.test(e.message);

test('missing shard, tensor missing from its shard, extra tensors ignored', async () => {
  const tensors = sampleTensors();
  const ck = shardSafetensors(tensors, { maxShardBytes: 150 });
  const index = parseShardIndex('m/idx.json', ck.indexText!);
  const open = opener(ck);
  const without2 = async (f: string) => (f === 'model-00002-of-00003.safetensors' ? null : open(f));
  await assert.rejects(openShardedSafetensors('m/idx.json', index, without2),
    isErr('missing-shard', /^m\/idx.json: shard 'model-00002-of-00003.safetensors' \(holding 4 tensors, e.g. '.+'\) is not in the model directory/));

  const wm = { ...ck.index!.weight_map, 'lm_head.weight': 'model-00001-of-00003.safetensors' };
  const extra = parseShardIndex('m/idx.json', JSON.stringify({ weight_map: wm }));
  await assert.rejects(openShardedSafetensors('m/idx.json', extra, open),
    isErr('missing-tensor', /^dir\/model-00001-of-00003.safetensors: tensor 'lm_head.weight' is not in this shard, but m\/idx.json says it is/));

  const fewer = { ...ck.index!.weight_map };
  delete fewer['mask'];
  const set = await openShardedSafetensors('i', parseShardIndex('i', JSON.stringify({ weight_map: fewer })), open);
  assert.equal(set.tensors.has('mask'), false);
  assert.equal(set.tensors.size, tensors.length - 1);
});

const BAD_INDEXES: Record<string, [string, RegExp]> = {
  'not JSON': ['{"weight_map": ', /not valid JSON/],
  'not an object': ['[]', /not a JSON object/],
  'no weight_map': ['{"metadata": {}}', /"weight_map" \(tensor name → shard file\) is missing/],
  'empty weight_map': ['{"weight_map": {}}', /"weight_map" is empty/],
  'non-string shard': ['{"weight_map": {"a": 3}}', /weight_map\["a"\] must be a file name, got 3/],
  'shard outside the directory': ['{"weight_map": {"a": "../../etc/passwd"}}', /is not a file inside the model directory/],
  'absolute shard path': ['{"weight_map": {"a": "/etc/passwd"}}', /is not a file inside the model directory/],
  'bad metadata': ['{"metadata": 3, "weight_map": {"a": "x"}}', /"metadata" must be an object/],
};

for (const [name, [text, re]] of Object.entries(BAD_INDEXES)) {
  test(`bad shard index: ${name}`, () => {
    assert.throws(() => parseShardIndex('/m/model.safetensors.index.json', text), (e: unknown) =>
      e instanceof LoaderError && e.code === 'bad-config' && e.message.startsWith('/m/model.safetensors.index.json: ') && re.test(e.message));
  });
}
