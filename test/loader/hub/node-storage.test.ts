// runtimes/node/hub-storage.ts: the file operations the hub client relies on.
import assert from 'node:assert/strict';
import { lstat, mkdtemp, readFile, readlink, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { createNodeHubStorage } from '../../../runtimes/node/hub-storage.ts';

async function withDir(fn: (dir: string) => Promise<void>) {
  const dir = await mkdtemp(join(tmpdir(), 'basert-hubfs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

test('append, read, stat, rename, text, listing', () =>
  withDir(async (dir) => {
    const s = createNodeHubStorage();
    const p = `${dir}/a/b/blob.incomplete`;
    assert.equal(await s.stat(p), null);
    const w = await s.openAppend(p);
    await w.write(new Uint8Array([1, 2, 3]));
    await w.write(new Uint8Array([4]));
    await w.close();
    assert.deepEqual(await s.stat(p), { size: 4 });
    assert.deepEqual(await s.read(p, 1, 10), new Uint8Array([2, 3, 4]));
    await s.rename(p, `${dir}/a/blob`);
    assert.equal(await s.stat(p), null);
    await s.remove(p); // missing: fine
    assert.equal(await s.readText(`${dir}/refs/main`), null);
    await s.writeText(`${dir}/refs/main`, 'abc');
    assert.equal(await s.readText(`${dir}/refs/main`), 'abc');
    assert.deepEqual(await s.listFiles(dir), ['a/blob', 'refs/main']);
    assert.deepEqual(await s.listFiles(`${dir}/none`), []);
  }));

test('link makes a relative symlink, replaces an old entry, and stat follows it', () =>
  withDir(async (dir) => {
    const s = createNodeHubStorage();
    await writeFile(`${dir}/blob`, 'bytes');
    const snap = `${dir}/snapshots/c/sub/f.json`;
    await writeFile(`${dir}/stale`, 'x');
    await s.link('../../../blob', snap);
    await s.link('../../../blob', snap);
    assert.equal(await readlink(snap), '../../../blob');
    assert.deepEqual(await s.stat(snap), { size: 5 });
    await rm(`${dir}/blob`);
    assert.equal(await s.stat(snap), null, 'a dangling link reads as missing');
  }));

test('copy mode (file systems without symlinks) copies the blob', () =>
  withDir(async (dir) => {
    const s = createNodeHubStorage({ copy: true });
    await writeFile(`${dir}/blob`, 'bytes');
    await s.link('../blob', `${dir}/snap/f`);
    assert.equal((await lstat(`${dir}/snap/f`)).isSymbolicLink(), false);
    assert.equal(await readFile(`${dir}/snap/f`, 'utf8'), 'bytes');
  }));
