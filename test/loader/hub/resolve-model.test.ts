// resolveHubModel against the fake hub: cache layout, cache reuse, file choice.
import assert from 'node:assert/strict';
import { mkdir, readFile, readlink, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { after, before, test } from 'node:test';
import { resolveHubModel } from '../../../src/loader/hub/index.ts';
import { GGUF_REPO, hubFixture, ST_REPO, type HubFixture } from './helpers.ts';

let fx: HubFixture;
before(async () => (fx = await hubFixture()));
after(() => fx.close());

const repoDir = (repo: string) => join(fx.cacheDir, `models--${repo.replace('/', '--')}`);

test('downloads into an empty cache with the huggingface_hub layout', async () => {
  fx.takeRequests();
  const model = await resolveHubModel(`${GGUF_REPO}:Q4_K_M`, fx.deps());
  const commit = fx.hub.commitOf(GGUF_REPO);
  const file = fx.hub.fileOf(GGUF_REPO, 'Tiny-Q4_K_M.gguf');
  const dir = repoDir(GGUF_REPO);
  assert.deepEqual(model, {
    repo: GGUF_REPO, revision: 'main', commit, kind: 'gguf', dir: `${dir}/snapshots/${commit}`,
    files: ['Tiny-Q4_K_M.gguf'], paths: [`${dir}/snapshots/${commit}/Tiny-Q4_K_M.gguf`],
  });
  assert.equal(await readFile(join(dir, 'refs/main'), 'utf8'), commit);
  assert.equal(await readlink(model.paths[0]), `../../blobs/${file.sha256}`);
  assert.deepEqual(new Uint8Array(await readFile(join(dir, 'blobs', file.sha256))), file.content);
  const urls = fx.takeRequests().map((r) => `${r.status} ${r.url}`);
  assert.deepEqual(urls, [
    `200 /api/models/${GGUF_REPO}/revision/main?blobs=true`,
    `302 /${GGUF_REPO}/resolve/${commit}/Tiny-Q4_K_M.gguf`,
    `200 /cdn/${encodeURIComponent(GGUF_REPO)}/${file.sha256}`,
  ]);
  assert.equal(fx.events.at(-1)?.phase, 'done');
  assert.equal(fx.events.at(-1)?.bytesDone, file.content.length);
});

test('a second call is served from the cache with no request', async () => {
  const again = await resolveHubModel(`${GGUF_REPO}:q4_k_m`, fx.deps());
  const none = await resolveHubModel(GGUF_REPO, fx.deps()); // no quant: Q4_K_M is the default and is cached
  assert.deepEqual(fx.takeRequests(), []);
  assert.deepEqual(again.files, ['Tiny-Q4_K_M.gguf']);
  assert.deepEqual(none.files, ['Tiny-Q4_K_M.gguf']);
});

test('refresh asks the hub again but downloads nothing it has', async () => {
  await resolveHubModel(`${GGUF_REPO}:Q4_K_M`, fx.deps(), { refresh: true });
  assert.deepEqual(fx.takeRequests().map((r) => r.url), [`/api/models/${GGUF_REPO}/revision/main?blobs=true`]);
});

test('files another tool put in the cache are reused', async () => {
  const commit = fx.hub.commitOf(GGUF_REPO);
  const file = fx.hub.fileOf(GGUF_REPO, 'Tiny-Q8_0.gguf');
  const dir = repoDir(GGUF_REPO);
  // A blob with its snapshot link, as huggingface_hub would have left it.
  await writeFile(join(dir, 'blobs', file.sha256), file.content);
  await symlink(`../../blobs/${file.sha256}`, join(dir, 'snapshots', commit, 'Tiny-Q8_0.gguf'));
  const model = await resolveHubModel(`${GGUF_REPO}:Q8_0`, fx.deps());
  assert.deepEqual(model.files, ['Tiny-Q8_0.gguf']);
  assert.deepEqual(fx.takeRequests(), []);

  // Only the blob (say, from another revision): one listing call, no file download.
  const split = ['Q6_K/Tiny-Q6_K-00001-of-00002.gguf', 'Q6_K/Tiny-Q6_K-00002-of-00002.gguf'];
  for (const p of split) await writeFile(join(dir, 'blobs', fx.hub.fileOf(GGUF_REPO, p).sha256), fx.hub.fileOf(GGUF_REPO, p).content);
  const q6 = await resolveHubModel(`${GGUF_REPO}:Q6_K`, fx.deps());
  assert.deepEqual(fx.takeRequests().map((r) => r.url), [`/api/models/${GGUF_REPO}/revision/main?blobs=true`]);
  assert.deepEqual(q6.files, split);
  assert.equal(await readlink(q6.paths[1]), `../../../blobs/${fx.hub.fileOf(GGUF_REPO, split[1]).sha256}`);
});

test('a hand-made cache for a repo basert never saw is found offline', async () => {
  const dir = join(fx.cacheDir, 'models--other--Hand-GGUF');
  const commit = 'c'.repeat(40);
  await mkdir(join(dir, 'refs'), { recursive: true });
  await writeFile(join(dir, 'refs/main'), commit);
  const snap = join(dir, 'snapshots', commit, 'Hand-Q5_K_M.gguf');
  await mkdir(dirname(snap), { recursive: true });
  await writeFile(snap, 'not really gguf'); // a plain file (a cache made without symlinks)
  const model = await resolveHubModel('other/Hand-GGUF', fx.deps({ offline: true }));
  assert.deepEqual(model.files, ['Hand-Q5_K_M.gguf']);
  assert.deepEqual(fx.takeRequests(), []);
});

test('a safetensors repo: configs, tokenizer, and the shards its index names', async () => {
  const model = await resolveHubModel(ST_REPO, fx.deps());
  assert.equal(model.kind, 'safetensors');
  assert.deepEqual(model.files, [
    'config.json', 'generation_config.json', 'tokenizer.json', 'tokenizer_config.json',
    'model.safetensors.index.json', 'model-00001-of-00002.safetensors', 'model-00002-of-00002.safetensors',
  ]);
  assert.equal(await readFile(join(model.dir, 'config.json'), 'utf8'), '{"model_type":"qwen3"}');
  const fetched = fx.takeRequests().filter((r) => r.url.includes('/resolve/')).map((r) => r.url.split('/').pop());
  assert.ok(!fetched.includes('consolidated.safetensors') && !fetched.includes('README.md'));
  assert.equal(fetched[0], 'model.safetensors.index.json');
  // Small git files are named by their git blob id in blobs/.
  const link = await readlink(join(model.dir, 'config.json'));
  assert.equal(link, `../../blobs/${fx.hub.fileOf(ST_REPO, 'config.json').gitOid}`);
  await resolveHubModel(ST_REPO, fx.deps());
  assert.deepEqual(fx.takeRequests(), []);
});

test('a new commit on main gets a new snapshot, sharing unchanged blobs', async () => {
  const specFiles = { 'config.json': '{"model_type":"qwen3"}', 'model.safetensors': 'weights v2' };
  fx.hub.setFiles(ST_REPO, specFiles);
  const model = await resolveHubModel(ST_REPO, fx.deps(), { refresh: true });
  assert.equal(model.commit, fx.hub.commitOf(ST_REPO));
  assert.deepEqual(model.files, ['config.json', 'model.safetensors']);
  const fetched = fx.takeRequests().filter((r) => r.url.includes('/resolve/')).map((r) => r.url.split('/').pop());
  assert.deepEqual(fetched, ['model.safetensors']); // config.json's blob was already there
  assert.equal((await readFile(join(repoDir(ST_REPO), 'refs/main'), 'utf8')), model.commit);
});
