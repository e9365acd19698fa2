// The file-system primitives the loaders and CLI commands need, injected by each
// runtime (runtimes/node/file-host.ts). Paths are the runtime's own strings; nothing
// here reads a whole model file.
import type { ByteSource } from './byte-source.ts';
import type { DirReader } from './hf/dir-reader.ts';

export interface OpenedFile extends ByteSource {
  close(): Promise<void>;
}

export interface FileHost {
  /** What is at `path`: a file, a directory, or nothing (null). */
  stat(path: string): Promise<'file' | 'dir' | null>;
  /** A byte-range reader over an existing file. */
  openFile(path: string): Promise<OpenedFile>;
  /** A directory as the HF loaders read one. */
  openDir(path: string): DirReader;
  /**
   * Writes `chunks` to `path`, which appears (replacing any old file) only once every
   * chunk is written. Returns the bytes written.
   */
  writeFile(path: string, chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>): Promise<number>;
}

/** `dir` + '/' + `name`, for building paths without a path module. */
export function joinPath(dir: string, name: string): string {
  return `${dir.replace(/[\\/]+$/, '')}/${name}`;
}
