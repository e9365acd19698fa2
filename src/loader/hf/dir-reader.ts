// A model directory as the loaders see it: file names, small text files, and byte-range
// readers for weights. Each runtime supplies one (runtimes/node/dir-reader.ts over the
// file system; a hub cache; a browser directory picker); memoryDirReader serves tests.
import { bytesSource, type ByteSource } from '../byte-source.ts';

export interface DirReader {
  /** What error messages call the directory: a path, a URL, a repo id. */
  readonly name: string;
  /** Names of the files in the directory (relative, '/'-separated). */
  list(): Promise<string[]>;
  /** A file's UTF-8 text, or null when the directory has no such file. */
  readText(file: string): Promise<string | null>;
  /** A byte-range reader over a file, or null when the directory has no such file. */
  open(file: string): Promise<ByteSource | null>;
  /** Releases whatever open() acquired (file handles). */
  close?(): Promise<void>;
}

/** How error messages name a file of `dir`. */
export const dirFilePath = (dir: { name: string }, file: string) => `${dir.name.replace(/\/+$/, '')}/${file}`;

/** A directory held in memory: file name → bytes or text. */
export function memoryDirReader(name: string, files: Readonly<Record<string, Uint8Array | string>>): DirReader {
  const bytesOf = (file: string): Uint8Array | null => {
    if (!Object.hasOwn(files, file)) return null;
    const f = files[file];
    return typeof f === 'string' ? new TextEncoder().encode(f) : f;
  };
  return {
    name,
    list: async () => Object.keys(files).sort(),
    readText: async (file) => {
      const b = bytesOf(file);
      return b && new TextDecoder().decode(b);
    },
    open: async (file) => {
      const b = bytesOf(file);
      return b && bytesSource(dirFilePath({ name }, file), b);
    },
  };
}
