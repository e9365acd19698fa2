// The hub cache on node:fs (Node and Bun). Snapshot entries are relative symlinks into
// blobs/, exactly as huggingface_hub makes them; where symlinks are refused (Windows
// without developer mode) the blob is copied instead, as huggingface_hub also falls back.
import { randomBytes } from 'node:crypto';
import { copyFile, mkdir, open, readdir, readFile, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import type { HubFileWriter, HubStorage } from '../../src/loader/hub/index.ts';

const missing = (e: unknown) => ['ENOENT', 'ENOTDIR', 'ELOOP'].includes((e as NodeJS.ErrnoException).code ?? '');
const tmpName = (path: string) => `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;

export interface NodeHubStorageOptions {
  /** Copy blobs into snapshots instead of linking (for file systems without symlinks). */
  copy?: boolean;
}

export function createNodeHubStorage(options: NodeHubStorageOptions = {}): HubStorage {
  return {
    async stat(path) {
      try {
        return { size: (await stat(path)).size };
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async read(path, offset, length) {
      const handle = await open(path, 'r');
      try {
        const out = new Uint8Array(length);
        let done = 0;
        while (done < length) {
          const { bytesRead } = await handle.read(out, done, length - done, offset + done);
          if (bytesRead === 0) break;
          done += bytesRead;
        }
        return out.subarray(0, done);
      } finally {
        await handle.close();
      }
    },
    async openAppend(path): Promise<HubFileWriter> {
      await mkdir(dirname(path), { recursive: true });
      const handle = await open(path, 'a');
      return {
        async write(bytes) {
          for (let done = 0; done < bytes.length; ) done += (await handle.write(bytes, done, bytes.length - done)).bytesWritten;
        },
        close: () => handle.close(),
      };
    },
    remove: (path) => rm(path, { force: true }),
    async rename(from, to) {
      await mkdir(dirname(to), { recursive: true });
      await rename(from, to);
    },
    async link(target, path) {
      await mkdir(dirname(path), { recursive: true });
      await rm(path, { force: true });
      try {
        if (options.copy) throw Object.assign(new Error('copy instead of symlink'), { code: 'ENOSYS' });
        await symlink(target, path, 'file');
      } catch (e) {
        if (!['EPERM', 'EACCES', 'ENOTSUP', 'ENOSYS', 'EINVAL'].includes((e as NodeJS.ErrnoException).code ?? '')) throw e;
        const tmp = tmpName(path);
        await copyFile(resolve(dirname(path), target), tmp);
        await rename(tmp, path);
      }
    },
    async readText(path) {
      try {
        return await readFile(path, 'utf8');
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async writeText(path, text) {
      await mkdir(dirname(path), { recursive: true });
      const tmp = tmpName(path);
      await writeFile(tmp, text);
      await rename(tmp, path);
    },
    async listFiles(dir) {
      const out: string[] = [];
      const walk = async (rel: string): Promise<void> => {
        let entries;
        try {
          entries = await readdir(join(dir, rel), { withFileTypes: true });
        } catch (e) {
          if (missing(e)) return;
          throw e;
        }
        for (const e of entries) {
          const child = rel ? `${rel}/${e.name}` : e.name;
          if (e.isDirectory()) await walk(child);
          else if (e.isFile() || e.isSymbolicLink()) out.push(child);
        }
      };
      await walk('');
      return out.sort();
    },
  };
}
