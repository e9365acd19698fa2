// The reader never pulls a weight file whole: opening reads the header (one read when it
// fits the first read, two otherwise) and each tensor is one read of exactly its bytes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  openShardedSafetensors, parseShardIndex, planSafetensors, readSafetensors, readSafetensorsData, type SafetensorsTensorSpec,
} from '../../../src/loader/safetensors/index.ts';
import { counting, virtualFile, type CountingSource } from './helpers.ts';

/** Specs of a ~2.6 GB Llama-shaped checkpoint with `layers` layers (BF16 weights). */
function llamaSpecs(layers: number, first = 0): SafetensorsTensorSpec[] {
  const specs: SafetensorsTensorSpec[] = [];
  for (let l = first; l < first + layers; l++) {
    const p = `model.layers.${l}.`;
    specs.push(
      { name: `${p}input_layernorm.weight`, dtype: 'BF16', shape: [2048] },
      { name: `${p}self_attn.q_proj.weight`, dtype: 'BF16', shape: [2048, 2048] },
      { name: `${p}self_attn.k_proj.weight`, dtype: 'BF16', shape: [512, 2048] },
      { name: `${p}self_attn.v_proj.weight`, dtype: 'BF16', shape: [512, 2048] },
      { name: `${p}self_attn.o_proj.weight`, dtype: 'BF16', shape: [2048, 2048] },
      { name: `${p}post_attention_layernorm.weight`, dtype: 'BF16', shape: [2048] },
      { name: `${p}mlp.gate_proj.weight`, dtype: 'BF16', shape: [8192, 2048] },
      { name: `${p}mlp.up_proj.weight`, dtype: 'BF16', shape: [8192, 2048] },
      { name: `${p}mlp.down_proj.weight`, dtype: 'BF16', shape: [2048, 8192] },
    );
  }
  return specs;
}

function hugeFile(name: string, specs: SafetensorsTensorSpec[]): { src: CountingSource; headerBytes: number; fileSize: number } {
  const plan = planSafetensors(specs, { format: 'pt' });
  return { src: counting(virtualFile(name, plan.header, plan.fileSize)), headerBytes: plan.header.length, fileSize: plan.fileSize };
}

for (const firstRead of [1024, undefined]) {
  test(`header of a ~2.6 GB file: bounded bytes (firstRead ${firstRead ?? 'default 64 KiB'})`, async () => {
    const { src, headerBytes, fileSize } = hugeFile('big.safetensors', [
      { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [128256, 2048] }, ...llamaSpecs(16),
    ]);
    const file = await readSafetensors(src, firstRead ? { firstRead } : {});
    assert.ok(fileSize > 2.4e9, `${fileSize}`);
    assert.equal(file.tensors.length, 1 + 16 * 9);
    const budget = Math.max(headerBytes, firstRead ?? 64 << 10);
    assert.ok(src.bytesRead <= budget, `read ${src.bytesRead} bytes for a ${headerBytes}-byte header`);
    assert.equal(src.reads, headerBytes > (firstRead ?? 64 << 10) ? 2 : 1);
    const before = src.bytesRead;
    const t = file.byName.get('model.layers.3.input_layernorm.weight')!;
    assert.equal((await readSafetensorsData(file, t)).length, 4096);
    assert.equal(src.bytesRead - before, 4096);
    assert.equal(src.reads, headerBytes > (firstRead ?? 64 << 10) ? 3 : 2);
  });
}

test('sharded ~2.6 GB checkpoint: opening reads only the shard headers', async () => {
  const shards = {
    'model-00001-of-00002.safetensors': hugeFile('s1', [{ name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [128256, 2048] }, ...llamaSpecs(8)]),
    'model-00002-of-00002.safetensors': hugeFile('s2', [...llamaSpecs(8, 8), { name: 'model.norm.weight', dtype: 'BF16', shape: [2048] }]),
  };
  const weightMap: Record<string, string> = {};
  for (const [shard, { src }] of Object.entries(shards)) {
    for (const t of (await readSafetensors(src)).tensors) weightMap[t.name] = shard;
    src.bytesRead = 0;
    src.reads = 0;
  }
  const index = parseShardIndex('model.safetensors.index.json', JSON.stringify({ metadata: { total_size: 0 }, weight_map: weightMap }));
  const set = await openShardedSafetensors('idx', index, async (f) => shards[f as keyof typeof shards].src);
  assert.equal(set.tensors.size, 1 + 16 * 9 + 1);
  for (const { src, headerBytes } of Object.values(shards)) {
    assert.ok(src.bytesRead <= Math.max(headerBytes, 64 << 10), `${src.name}: ${src.bytesRead}`);
    assert.equal(src.reads, 1);
  }
  assert.equal((await set.read('model.norm.weight')).length, 4096);
  assert.equal(shards['model-00002-of-00002.safetensors'].src.reads, 2);
  assert.equal(shards['model-00001-of-00002.safetensors'].src.reads, 1);
});
