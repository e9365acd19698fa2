// FileHost on Deno for `basert serve` (model files, the config and key files, the prefix
// cache): stat, seek+read file sources, directories as DirReaders, atomic writes.
import type { FileHost } from '../../src/loader/file-host.ts';
import type { DirReader } from '../../src/loader/hf/dir-reader.ts';
import { openDenoFileSource, type FileSource } from './file-source.ts';

interface DenoFsFile {
  write(p: Uint8Array): Promise<number>;
  close(): void;
}
declare const Deno: {
  stat(path: string): Promise<{ isFile: boolean; isDirectory: boolean }>;
  readDir(path: string): AsyncIterable<{ name: string; isFile: boolean }>;
  readTextFile(path: string): Promise<string>;
  open(path: string, opts: { write: boolean; create: boolean; truncate: boolean }): Promise<DenoFsFile>;
  rename(from: string, to: string): Promise<void>;
  remove(path: string): Promise<void>;
  pid: number;
  errors: { NotFound: new () => Error };
};

const missing = (e: unknown) => e instanceof Deno.errors.NotFound;

function denoDirReader(path: string): DirReader {
  const opened: FileSource[] = [];
  const at = (file: string) => `${path.replace(/\/+$/, '')}/${file}`;
  return {
    name: path,
    async list() {
      const names: string[] = [];
      for await (const e of Deno.readDir(path)) if (e.isFile) names.push(e.name);
      return names.sort();
    },
    async readText(file) {
      try {
        return await Deno.readTextFile(at(file));
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async open(file) {
      try {
        const src = await openDenoFileSource(at(file));
        opened.push(src);
        return src;
      } catch (e) {
        if (missing(e)) return null;
        throw e;
      }
    },
    async close() {
      await Promise.all(opened.splice(0).map((s) => s.close()));
    },
  };
}

export const denoFileHost: FileHost = {
  async stat(path) {
    try {
      const s = await Deno.stat(path);
      return s.isDirectory ? 'dir' : s.isFile ? 'file' : null;
    } catch (e) {
      if (missing(e)) return null;
      throw e;
    }
  },
  openFile: openDenoFileSource,
  openDir: denoDirReader,
  async writeFile(path, chunks) {
    const tmp = `${path}.partial-${Deno.pid}-${Date.now().toString(36)}`;
    const f = await Deno.open(tmp, { write: true, create: true, truncate: true });
    let written = 0;
    try {
      for await (const chunk of chunks) {
        let done = 0;
        while (done < chunk.byteLength) done += await f.write(chunk.subarray(done));
        written += chunk.byteLength;
      }
      f.close();
      await Deno.rename(tmp, path);
      return written;
    } catch (e) {
      f.close();
      await Deno.remove(tmp).catch(() => {});
      throw e;
    }
  },
};
