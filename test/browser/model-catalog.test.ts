// The tab's model manifest (runtimes/browser/model-catalog.ts): entries checked, URLs made
// absolute, and hub entries resolved through the hub's listing API to a file URL with the
// size and SHA-256 the hub reports. Against the fake hub of test/helpers (no browser needed:
// this part is plain fetch).
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { CatalogError, parseCatalog, resolveRemote } from '../../runtimes/browser/model-catalog.ts';
import { startFakeHub, type FakeHub } from '../helpers/fake-hub.ts';

const BASE = 'http://127.0.0.1:8090/models/manifest.json';
let hub: FakeHub;
const gguf = (n: number) => new Uint8Array(n).fill(7);

before(async () => {
  hub = await startFakeHub([{ id: 'org/tiny-GGUF', files: { 'tiny-Q8_0.gguf': gguf(1000), 'tiny-Q4_K_M.gguf': gguf(600), 'README.md': '# tiny' } }]);
});
after(() => hub.close());

test('manifest entries: relative URLs resolved, bad entries named', () => {
  const [m] = parseCatalog({ models: [{ id: 'm', url: 'm.gguf', size: 3, sha256: 'a'.repeat(64) }] }, BASE);
  assert.equal(m.url, 'http://127.0.0.1:8090/models/m.gguf');
  const bad: [unknown, RegExp][] = [
    [{}, /expected \{"models": \[\.\.\.\]\}/],
    [{ models: [{ url: 'x.gguf' }] }, /models\[0\]: no id/],
    [{ models: [{ id: 'm' }] }, /models\[0\] \(m\): give either url or hub/],
    [{ models: [{ id: 'm', url: 'a', hub: 'o/r' }] }, /give either url or hub/],
    [{ models: [{ id: 'm', url: 'a', sha256: 'xyz' }] }, /sha256 must be 64 hex digits/],
    [{ models: [{ id: 'm', hub: 'not a hub id' }] }, /not a hub model id/],
  ];
  for (const [body, why] of bad) assert.throws(() => parseCatalog(body, BASE), why);
  assert.throws(() => parseCatalog({}, BASE), CatalogError);
});

test('a URL entry downloads from its URL with the manifest\'s size and hash', async () => {
  const [m] = parseCatalog({ models: [{ id: 'm', url: '/files/My%20Model.gguf', size: 3 }] }, BASE);
  assert.deepEqual(await resolveRemote(m), { url: 'http://127.0.0.1:8090/files/My%20Model.gguf', name: 'My Model.gguf', source: m.url, size: 3, sha256: undefined });
});

test('a hub entry resolves the quant to a file at the listed commit, with the hub\'s size and SHA-256', async () => {
  for (const [quant, file, size] of [[':Q4_K_M', 'tiny-Q4_K_M.gguf', 600], ['', 'tiny-Q4_K_M.gguf', 600], [':Q8_0', 'tiny-Q8_0.gguf', 1000]] as const) {
    const [m] = parseCatalog({ models: [{ id: 'm', hub: `org/tiny-GGUF${quant}`, endpoint: hub.url }] }, BASE);
    const r = await resolveRemote(m);
    assert.deepEqual(r, {
      url: `${hub.url}/org/tiny-GGUF/resolve/${hub.commitOf('org/tiny-GGUF')}/${file}`, name: file, source: `org/tiny-GGUF${quant}`,
      size, sha256: hub.fileOf('org/tiny-GGUF', file).sha256,
    });
    const res = await fetch(r.url);
    assert.equal((await res.arrayBuffer()).byteLength, size, 'the URL serves the file');
  }
  const [missing] = parseCatalog({ models: [{ id: 'm', hub: 'org/tiny-GGUF:Q6_K', endpoint: hub.url }] }, BASE);
  await assert.rejects(resolveRemote(missing), /Q6_K/);
  const [gone] = parseCatalog({ models: [{ id: 'm', hub: 'org/absent', endpoint: hub.url }] }, BASE);
  await assert.rejects(resolveRemote(gone), /org\/absent: the hub's file listing failed \(HTTP 404/);
});
