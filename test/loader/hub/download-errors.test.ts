// Broken downloads: resume after a drop or stall, bad bytes, servers that ignore Range.
// Whatever fails, the cache never holds an unverified file under a final name.
import assert from 'node:assert/strict';
import { readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, beforeEach, test } from 'node:test';
import { isHubError, resolveHubModel } from '../../../src/loader/hub/index.ts';
import { GGUF_REPO, hubFixture, type HubFixture } from './helpers.ts';

let fx: HubFixture;
before(async () => (fx = await hubFixture()));
after(() => fx.close());
beforeEach(() => void fx.takeRequests());

const PATH = 'Tiny-Q4_K_M.gguf';
const ID = `${GGUF_REPO}:Q4_K_M`;
const blobs = () => join(fx.cacheDir, `models--${GGUF_REPO.replace('/', '--')}`, 'blobs');
const file = () => fx.hub.fileOf(GGUF_REPO, PATH);
const partial = () => join(blobs(), `${file().sha256}.incomplete`);
const snapshot = () => join(fx.cacheDir, `models--${GGUF_REPO.replace('/', '--')}`, 'snapshots', fx.hub.commitOf(GGUF_REPO), PATH);
const exists = (p: string) => stat(p).then(() => true, () => false);
const downloads = () => fx.takeRequests().filter((r) => r.url.startsWith('/cdn/'));

async function assertNothingComplete() {
  assert.equal(await exists(join(blobs(), file().sha256)), false);
  assert.equal(await exists(snapshot()), false);
}

test('a dropped connection keeps the partial file; the next call resumes with Range', async () => {
  fx.hub.drop(PATH, 10_000);
  await assert.rejects(resolveHubModel(ID, fx.deps()), (e) => {
    assert.ok(isHubError(e, 'network'));
    assert.match(e.message, /^acme\/Tiny-GGUF\/Tiny-Q4_K_M\.gguf: download interrupted after 10\.0 kB of 48\.0 kB/);
    return true;
  });
  await assertNothingComplete();
  assert.equal((await stat(partial())).size, 10_000);
  assert.deepEqual(downloads().map((r) => [r.range, r.bytes]), [[undefined, 10_000]]);

  const model = await resolveHubModel(ID, fx.deps());
  assert.deepEqual(downloads().map((r) => [r.status, r.range, r.bytes]), [[206, 'bytes=10000-', 38_000]]);
  assert.deepEqual(new Uint8Array(await readFile(model.paths[0])), file().content);
  assert.equal(await exists(partial()), false);
  assert.ok(fx.events.some((e) => e.phase === 'verify' && e.bytesDone === 10_000), 'the partial bytes are re-hashed');
});

test('drops are retried within one call, each retry resuming where the last stopped', async () => {
  await reset();
  fx.hub.drop(PATH, 7_000, 2);
  await resolveHubModel(ID, fx.deps({ maxRetries: 3 }));
  assert.deepEqual(downloads().map((r) => [r.range, r.bytes]), [[undefined, 7_000], ['bytes=7000-', 7_000], ['bytes=14000-', 34_000]]);
});

test('a stalled server is abandoned after the idle timeout, then resumed', async () => {
  await reset();
  fx.hub.stall(PATH, 5_000);
  const t0 = performance.now();
  await assert.rejects(resolveHubModel(ID, fx.deps({ idleTimeoutMs: 300 })), /no data for 0\.3 s/);
  assert.ok(performance.now() - t0 < 3_000);
  await assertNothingComplete();
  await resolveHubModel(ID, fx.deps());
  assert.deepEqual(downloads().map((r) => r.range), [undefined, 'bytes=5000-']);
});

test('bytes that do not match the sha256 are deleted, and the error says so', async () => {
  await reset();
  fx.hub.corrupt.add(PATH);
  await assert.rejects(resolveHubModel(ID, fx.deps()), (e) => {
    assert.ok(isHubError(e, 'integrity'));
    assert.match(e.message, new RegExp(`^acme/Tiny-GGUF/Tiny-Q4_K_M.gguf: sha256 mismatch: the hub reports ${file().sha256}`));
    return true;
  });
  await assertNothingComplete();
  assert.equal(await exists(partial()), false);
  fx.hub.corrupt.clear();
  await resolveHubModel(ID, fx.deps());
});

test('a corrupt partial file from an earlier run fails verification and is deleted', async () => {
  await reset();
  await writeFile(partial(), new Uint8Array(1_000).fill(7));
  await assert.rejects(resolveHubModel(ID, fx.deps()), (e) => isHubError(e, 'integrity'));
  assert.deepEqual(downloads().map((r) => r.range), ['bytes=1000-']);
  await assertNothingComplete();
  await resolveHubModel(ID, fx.deps());
  assert.deepEqual(downloads().map((r) => r.range), [undefined]);
});

test('a server that ignores Range gets the partial file restarted from zero', async () => {
  await reset();
  await writeFile(partial(), file().content.subarray(0, 20_000));
  fx.hub.ignoreRange = true;
  try {
    const model = await resolveHubModel(ID, fx.deps());
    assert.deepEqual(downloads().map((r) => [r.status, r.bytes]), [[200, 48_000]]);
    assert.deepEqual(new Uint8Array(await readFile(model.paths[0])), file().content);
  } finally {
    fx.hub.ignoreRange = false;
  }
});

test('a partial file that is already whole is verified and finished without a download', async () => {
  await reset();
  await writeFile(partial(), file().content);
  await resolveHubModel(ID, fx.deps());
  assert.deepEqual(downloads(), []);
  assert.ok(await exists(snapshot()));
});

test('the cache folder holds only finished blobs after all of the above', async () => {
  const names = await readdir(blobs());
  assert.ok(names.every((n) => !n.endsWith('.incomplete')), names.join());
});

/** Empties the cache entry for PATH so the next resolve downloads it again. */
async function reset() {
  const { rm } = await import('node:fs/promises');
  for (const p of [join(blobs(), file().sha256), partial(), snapshot()]) await rm(p, { force: true });
  fx.takeRequests();
}
