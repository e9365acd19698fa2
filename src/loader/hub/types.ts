// Plain data handed between the hub client's stages, and what it needs injected.
import type { HubEnv } from './env.ts';
import type { CreateHasher } from './hash.ts';
import type { HubStorage } from './storage.ts';

/** One file of a repository at a commit, as the hub's API describes it. */
export interface HubFileInfo {
  /** Repo-relative, `/`-joined. */
  path: string;
  /** Bytes (the real file's size for LFS files, not the pointer's). */
  size: number;
  /** LFS files: the content's SHA-256 (also the cache blob name). */
  sha256?: string;
  /** Files kept in git: the git blob id (the cache blob name when sha256 is absent). */
  gitOid?: string;
}

export interface RepoListing {
  repo: string;
  revision: string;
  /** The 40-hex commit `revision` resolved to. */
  commit: string;
  files: HubFileInfo[];
}

export type HubProgressPhase =
  /** The file is already in the cache; nothing is fetched. */
  | 'cached'
  /** Re-reading a partial download to resume its hash (bytesDone counts what is read). */
  | 'verify'
  | 'download'
  /** Downloaded, verified and in the cache. */
  | 'done';

export interface HubProgressEvent {
  repo: string;
  path: string;
  phase: HubProgressPhase;
  bytesDone: number;
  bytesTotal: number;
  /** 1-based position among the files this call resolves, and their count. */
  fileIndex: number;
  fileCount: number;
}

export interface HubDeps {
  fetch: typeof fetch;
  storage: HubStorage;
  env: HubEnv;
  onProgress?: (event: HubProgressEvent) => void;
  /** Defaults to the portable TypeScript hashers. */
  createHasher?: CreateHasher;
  /** Give up on a request that has sent nothing for this long. Default 30 000 ms. */
  idleTimeoutMs?: number;
  /** Resume a dropped download this many times before failing. Default 3. */
  maxRetries?: number;
  /** Wait before the first retry, doubling each time (capped at 8 s). Default 500 ms. */
  retryDelayMs?: number;
}

/** A model resolved to files in the cache. */
export interface HubModel {
  repo: string;
  revision: string;
  commit: string;
  kind: 'gguf' | 'safetensors';
  /** snapshots/<commit>: a Hugging Face model directory for safetensors models. */
  dir: string;
  /** Repo-relative paths of the chosen files; a split GGUF's parts in order. */
  files: string[];
  /** The same files as absolute paths in the snapshot. */
  paths: string[];
}
