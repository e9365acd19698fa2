// What the hub client needs from a file system, passed in by the runtime (node:fs on
// Node and Bun, Deno's API on Deno, OPFS in a browser). Paths are absolute, `/`-joined,
// and always inside the hub cache.

export interface HubFileWriter {
  write(bytes: Uint8Array): Promise<void>;
  close(): Promise<void>;
}

export interface HubStorage {
  /** A file's size, following symlinks; null when it (or a link's target) is missing. */
  stat(path: string): Promise<{ size: number } | null>;
  /** Bytes [offset, offset + length) of a file, shorter only at its end. */
  read(path: string, offset: number, length: number): Promise<Uint8Array>;
  /** Opens a file for appending, creating it and its folders as needed. */
  openAppend(path: string): Promise<HubFileWriter>;
  /** Deletes a file; a missing one is not an error. */
  remove(path: string): Promise<void>;
  /** Moves a file, replacing `to`. */
  rename(from: string, to: string): Promise<void>;
  /**
   * Makes `path` a symlink to the relative `target` (resolved from path's folder),
   * replacing what is there and creating folders. Where links are not allowed (Windows
   * without developer mode) it copies the target's bytes instead.
   */
  link(target: string, path: string): Promise<void>;
  /** A text file's contents, or null when it is missing. */
  readText(path: string): Promise<string | null>;
  /** Writes a text file whole (no reader ever sees half of it), creating folders. */
  writeText(path: string, text: string): Promise<void>;
  /** Files (and links) under a folder, recursively, relative and `/`-joined; [] when missing. */
  listFiles(dir: string): Promise<string[]>;
}
