// FileHost on Node (and Bun): stat, positional file reads, directories as DirReaders, and
// writes that land atomically (a temporary sibling renamed into place once complete).
import { open, rename, rm, stat } from 'node:fs/promises';
import type { FileHost } from '../../src/loader/file-host.ts';
import { nodeDirReader } from './dir-reader.ts';
import { openFileSource } from './file-source.ts';

async function writeFile(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number> {
  const tmp = `${path}.partial-${process.pid}-${Date.now().toString(36)}`;
  const handle = await open(tmp, 'w');
  let written = 0;
  try {
    for await (const chunk of chunks) {
      let done = 0;
      while (done < chunk.byteLength) done += (await handle.write(chunk, done, chunk.byteLength - done)).bytesWritten;
      written += chunk.byteLength;
    }
    await handle.close();
    await rename(tmp, path);
    return written;
  } catch (e) {
    await handle.close().catch(() => {});
    await rm(tmp, { force: true });
    throw e;
  }
}

export const nodeFileHost: FileHost = {
  async stat(path) {
    try {
      const s = await stat(path);
      return s.isDirectory() ? 'dir' : s.isFile() ? 'file' : null;
    } catch (e) {
      if (['ENOENT', 'ENOTDIR'].includes((e as { code?: string }).code ?? '')) return null;
      throw e;
    }
  },
  openFile: openFileSource,
  openDir: nodeDirReader,
  writeFile,
};
