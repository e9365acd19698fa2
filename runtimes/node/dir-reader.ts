// A model directory on the local file system as a DirReader. Weight files are opened as
// FileSources (positional reads, never whole); close() closes every handle opened.
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DirReader } from '../../src/loader/hf/dir-reader.ts';
import { openFileSource, type FileSource } from './file-source.ts';

export interface NodeDirReader extends DirReader {
  close(): Promise<void>;
}

const isMissing = (e: unknown) => ['ENOENT', 'ENOTDIR', 'EISDIR'].includes((e as { code?: string }).code ?? '');

export function nodeDirReader(path: string): NodeDirReader {
  const opened: FileSource[] = [];
  return {
    name: path,
    async list() {
      const entries = await readdir(path, { withFileTypes: true });
      return entries.filter((e) => e.isFile()).map((e) => e.name).sort();
    },
    async readText(file) {
      try {
        return await readFile(join(path, file), 'utf8');
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async open(file) {
      try {
        const src = await openFileSource(join(path, file));
        opened.push(src);
        return src;
      } catch (e) {
        if (isMissing(e)) return null;
        throw e;
      }
    },
    async close() {
      const all = opened.splice(0);
      await Promise.all(all.map((s) => s.close()));
    },
  };
}
