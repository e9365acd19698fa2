// `--model` resolution: a local .gguf, a local HF directory, or a hub id (against the fake
// hub), and the errors for everything else.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { createNodeHubStorage } from '../../runtimes/node/hub-storage.ts';
import { encodeGguf, GgmlType, kv } from '../../src/loader/gguf/index.ts';
import { isLoaderError } from '../../src/loader/loader-error.ts';
import { openModelSource, resolveModelSource, type ModelSourceDeps } from '../../src/loader/model-source.ts';
import { encodeSafetensors, f32ToTensorBytes } from '../../src/loader/safetensors/index.ts';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.ts';

const gguf = encodeGguf({ 'general.architecture': kv.string('qwen3'), 'general.name': kv.string('t') }, [
  { name: 'token_embd.weight', dims: [4, 2], type: GgmlType.F32, data: new Uint8Array(32) },
]);
const config = JSON.stringify({ architectures: ['Qwen3ForCausalLM'], hidden_size: 4, intermediate_size: 8, num_hidden_layers: 1, num_attention_heads: 2, num_key_value_heads: 1, head_dim: 2, vocab_size: 2 });
const safetensors = encodeSafetensors([{ name: 'model.embed_tokens.weight', dtype: 'F32', shape: [2, 4], data: f32ToTensorBytes('F32', new Float32Array(8)) }]);

let root = '';
let hub: FakeHub;
let deps: ModelSourceDeps;
before(async () => {
  root = await mkdtemp(join(tmpdir(), 'basert-source-'));
  await writeFile(join(root, 'm.gguf'), gguf);
  await writeFile(join(root, 'weights.safetensors'), safetensors);
  await mkdir(join(root, 'hf'));
  await writeFile(join(root, 'hf/config.json'), config);
  await writeFile(join(root, 'hf/model.safetensors'), safetensors);
  await mkdir(join(root, 'empty'));
  hub = await startFakeHub([
    { id: 'acme/Tiny-GGUF', files: { 'Tiny-Q8_0.gguf': gguf, 'Tiny-F16.gguf': gguf } },
    { id: 'acme/tiny', files: { 'config.json': config, 'model.safetensors': safetensors } },
  ]);
  deps = {
    files: nodeFileHost,
    hub: async () => ({ fetch: globalThis.fetch, storage: createNodeHubStorage(), env: { endpoint: hub.url, cacheDir: join(root, 'cache'), offline: false } }),
  };
});
after(async () => {
  await hub.close();
  await rm(root, { recursive: true, force: true });
});

test('a local .gguf file and a local HF directory', async () => {
  const g = await resolveModelSource(join(root, 'm.gguf'), deps);
  assert.deepEqual(g, { kind: 'gguf', path: join(root, 'm.gguf'), paths: [join(root, 'm.gguf')] });
  const opened = await openModelSource(g, nodeFileHost);
  assert.equal(opened.kind === 'gguf' && opened.gguf.tensors[0].name, 'token_embd.weight');
  await opened.close();

  const d = await resolveModelSource(join(root, 'hf'), deps);
  assert.deepEqual(d, { kind: 'hf-dir', path: join(root, 'hf') });
  const dir = await openModelSource(d, nodeFileHost);
  assert.equal(dir.kind === 'hf-dir' && dir.model.config.family, 'qwen3');
  await dir.close();
  assert.equal(hub.requests.length, 0);
});

test('hub ids resolve through the cache to a GGUF file or an HF directory', async () => {
  const g = await resolveModelSource('acme/Tiny-GGUF:Q8_0', deps);
  assert.equal(g.kind, 'gguf');
  assert.match(g.path, /models--acme--Tiny-GGUF\/snapshots\/[0-9a-f]{40}\/Tiny-Q8_0\.gguf$/);
  assert.equal(g.hub?.repo, 'acme/Tiny-GGUF');
  const opened = await openModelSource(g, nodeFileHost);
  await opened.close();

  const d = await resolveModelSource('acme/tiny', deps);
  assert.equal(d.kind, 'hf-dir');
  assert.match(d.path, /models--acme--tiny\/snapshots\/[0-9a-f]{40}$/);
  const dir = await openModelSource(d, nodeFileHost);
  assert.equal(dir.kind === 'hf-dir' && dir.model.config.architecture, 'Qwen3ForCausalLM');
  await dir.close();
});

test('an existing path wins over the hub id it looks like', async () => {
  const stat = async (p: string) => (p === 'acme/tiny' ? 'dir' as const : p === 'acme/tiny/config.json' ? 'file' as const : null);
  const local = await resolveModelSource('acme/tiny', { files: { stat, openFile: nodeFileHost.openFile }, hub: deps.hub });
  assert.deepEqual(local, { kind: 'hf-dir', path: 'acme/tiny' });
});

test('errors name the input and what --model takes', async () => {
  const cases: [string, ModelSourceDeps, RegExp][] = [
    [join(root, 'empty'), deps, /empty: a model directory needs config\.json/],
    [join(root, 'weights.safetensors'), deps, /not a GGUF file .*pass the model directory/],
    [join(root, 'hf/config.json'), deps, /config\.json: not a GGUF file/],
    ['./missing.gguf', deps, /missing\.gguf: no such file or directory \(--model takes a \.gguf file, a Hugging Face model directory, or a hub id/],
    ['acme/tiny', { files: nodeFileHost }, /acme\/tiny: no such file or directory, and hub downloads are not available here/],
  ];
  for (const [spec, d, message] of cases) {
    await assert.rejects(resolveModelSource(spec, d), (e: Error) => isLoaderError(e) && message.test(e.message), spec);
  }
  await assert.rejects(resolveModelSource('acme/nothing-here', deps), /acme\/nothing-here/);
});
