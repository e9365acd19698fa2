// runtimes/node/hub.ts wired end to end: HF_* variables and the stored token file, the
// native hasher, the node:fs cache under HF_HOME, against the fake hub.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { nodeHubDeps } from '../../../runtimes/node/hub.ts';
import { resolveHubModel } from '../../../src/loader/hub/index.ts';
import { startFakeHub } from '../../helpers/fake-hub.ts';
import { PRIVATE_REPO, repoSpecs } from './helpers.ts';

test('nodeHubDeps: HF_HOME cache, stored token, HF_ENDPOINT', async () => {
  const hub = await startFakeHub(repoSpecs());
  const home = await mkdtemp(join(tmpdir(), 'basert-home-'));
  try {
    const hfHome = join(home, 'hf');
    await mkdir(hfHome);
    await writeFile(join(hfHome, 'token'), `${hub.token}\n`); // as `huggingface-cli login` leaves it
    const deps = await nodeHubDeps({ env: { HF_HOME: hfHome, HF_ENDPOINT: hub.url }, home, progress: false });
    assert.deepEqual(deps.env, { endpoint: hub.url, token: hub.token, offline: false, cacheDir: `${hfHome}/hub` });
    const model = await resolveHubModel(PRIVATE_REPO, deps);
    const want = repoSpecs()[2].files['secret-Q4_K_M.gguf'] as Uint8Array;
    assert.equal(model.paths[0], `${hfHome}/hub/models--acme--secret-GGUF/snapshots/${hub.commitOf(PRIVATE_REPO)}/secret-Q4_K_M.gguf`);
    assert.deepEqual(new Uint8Array(await readFile(model.paths[0])), want);

    const offline = await nodeHubDeps({ env: { HF_HOME: hfHome, HF_HUB_OFFLINE: '1' }, home, progress: false });
    hub.requests.length = 0;
    assert.equal((await resolveHubModel(PRIVATE_REPO, offline)).paths[0], model.paths[0]);
    assert.equal(hub.requests.length, 0);
  } finally {
    await hub.close();
    await rm(home, { recursive: true, force: true });
  }
});
