// Errors before any byte moves: 404s, 401s, HF_TOKEN, HF_HUB_OFFLINE, an unreachable hub,
// and ids that match nothing. Each names the repository (and file) and what to do.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, before, beforeEach, test } from 'node:test';
import { downloadHubFile, isHubError, resolveHubModel, type HubErrorCode } from '../../../src/loader/hub/index.ts';
import { GGUF_REPO, hubFixture, PRIVATE_REPO, ST_REPO, type HubFixture } from './helpers.ts';

let fx: HubFixture;
before(async () => (fx = await hubFixture()));
after(() => fx.close());
beforeEach(() => void fx.takeRequests());

function rejectsWith(p: Promise<unknown>, code: HubErrorCode, message: RegExp) {
  return assert.rejects(p, (e) => {
    assert.ok(isHubError(e, code), String(e));
    assert.match(e.message, message);
    return true;
  });
}

test('404s name the repository, the revision or the file', async () => {
  await rejectsWith(resolveHubModel('acme/nope', fx.deps()), 'not-found', /^acme\/nope: repository not found on http:\/\/127\.0\.0\.1:\d+ \(HTTP 404: Repository not found\)$/);
  await rejectsWith(resolveHubModel(`${GGUF_REPO}@v9`, fx.deps()), 'not-found', /^acme\/Tiny-GGUF: revision "v9" not found \(HTTP 404/);
  await rejectsWith(downloadHubFile(fx.deps(), GGUF_REPO, 'nope.json'), 'not-found', /^acme\/Tiny-GGUF\/nope\.json: not found at revision main/);
  fx.hub.gone.add('Tiny-Q8_0.gguf'); // listed, but the resolve URL 404s
  try {
    await rejectsWith(resolveHubModel(`${GGUF_REPO}:Q8_0`, fx.deps()), 'not-found', /^acme\/Tiny-GGUF\/Tiny-Q8_0\.gguf: not found at revision main \(HTTP 404/);
  } finally {
    fx.hub.gone.clear();
  }
});

test('a private repo: 401 without a token, 401 with a wrong one, files with HF_TOKEN', async () => {
  await rejectsWith(resolveHubModel(PRIVATE_REPO, fx.deps()), 'unauthorized', /^acme\/secret-GGUF: not found, or private or gated: set HF_TOKEN/);
  await rejectsWith(resolveHubModel(PRIVATE_REPO, fx.deps({ token: 'hf_wrong' })), 'unauthorized', /rejected the token \(HF_TOKEN or the stored login\)/);
  fx.takeRequests();
  const model = await resolveHubModel(PRIVATE_REPO, fx.deps({ token: fx.hub.token }));
  assert.deepEqual(model.files, ['secret-Q4_K_M.gguf']);
  const hubRequests = fx.takeRequests().filter((r) => !r.url.startsWith('/cdn/'));
  assert.equal(hubRequests.length, 2);
  assert.ok(hubRequests.every((r) => r.authorization === `Bearer ${fx.hub.token}`));
});

test('HF_HUB_OFFLINE: the cache only, and a clear error when it lacks the model', async () => {
  await rejectsWith(resolveHubModel(ST_REPO, fx.deps({ offline: true })), 'offline', /^acme\/tiny-llm: HF_HUB_OFFLINE is set and the cache \(.*\) holds no complete copy of acme\/tiny-llm$/);
  await rejectsWith(downloadHubFile(fx.deps({ offline: true }), ST_REPO, 'config.json'), 'offline', /^acme\/tiny-llm\/config\.json: HF_HUB_OFFLINE/);
  assert.deepEqual(fx.takeRequests(), []);

  await resolveHubModel(`${GGUF_REPO}:Q8_0`, fx.deps());
  fx.takeRequests();
  const model = await resolveHubModel(GGUF_REPO, fx.deps({ offline: true })); // no quant: best cached
  assert.deepEqual(model.files, ['Tiny-Q8_0.gguf']);
  await rejectsWith(resolveHubModel(`${GGUF_REPO}:Q4_K_S`, fx.deps({ offline: true })), 'offline', /Q4_K_S/);
  assert.deepEqual(fx.takeRequests(), []);
});

test('online, an id without a quant is not settled by a cached non-default quant', async () => {
  // Q8_0 is cached (previous test), Q4_K_M is the default and exists: ask the hub.
  const model = await resolveHubModel(GGUF_REPO, fx.deps());
  assert.deepEqual(model.files, ['Tiny-Q4_K_M.gguf']);
  assert.ok(fx.takeRequests().some((r) => r.url.includes('/revision/main')));
});

test('a quant that matches nothing lists what the repository has', async () => {
  await rejectsWith(
    resolveHubModel(`${GGUF_REPO}:Q3_K_L`, fx.deps()),
    'no-match',
    /^acme\/Tiny-GGUF: no GGUF file matches "Q3_K_L"; the repository has: .*Tiny-Q8_0\.gguf.*Q6_K\/Tiny-Q6_K-00001-of-00002\.gguf \(split, 2 parts\)/,
  );
});

test('an unreachable hub is a network error naming the endpoint', async () => {
  const port = await new Promise<number>((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const p = (s.address() as { port: number }).port;
      s.close(() => resolve(p));
    });
  });
  const deps = fx.deps();
  deps.env.endpoint = `http://127.0.0.1:${port}`;
  await rejectsWith(resolveHubModel(ST_REPO, deps), 'network', /^acme\/tiny-llm: cannot reach http:\/\/127\.0\.0\.1:\d+ \(connect ECONNREFUSED 127\.0\.0\.1:\d+\)$/);
});

test('a bad model id is a bad-id error, before any request', async () => {
  await rejectsWith(resolveHubModel('acme', fx.deps()), 'bad-id', /^acme: not a hub model id/);
  assert.deepEqual(fx.takeRequests(), []);
});
