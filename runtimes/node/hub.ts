// Hub access on Node (and Bun): the process environment, the stored login token,
// node:fs storage, node:crypto hashing and a stderr progress bar.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { hubTokenPath, resolveHubEnv, type CreateHasher, type HubDeps } from '../../src/loader/hub/index.ts';
import { createTerminalProgress } from './hub-progress.ts';
import { createNodeHubStorage } from './hub-storage.ts';

/** Native SHA-256/SHA-1: several times faster than the portable ones on multi-GB files. */
export const nodeHasher: CreateHasher = (algorithm) => {
  const h = createHash(algorithm);
  return { update: (bytes) => void h.update(bytes), digestHex: () => h.digest('hex') };
};

export interface NodeHubOptions {
  /** Variables to read instead of process.env. */
  env?: Readonly<Record<string, string | undefined>>;
  home?: string;
  /** Show download progress on stderr (default true). */
  progress?: boolean;
}

export async function nodeHubDeps(options: NodeHubOptions = {}): Promise<HubDeps> {
  const vars = options.env ?? process.env;
  const home = options.home ?? homedir();
  const stored = await readFile(hubTokenPath(vars, home), 'utf8').catch(() => undefined);
  return {
    fetch: globalThis.fetch,
    storage: createNodeHubStorage(),
    env: resolveHubEnv(vars, home, stored),
    createHasher: nodeHasher,
    ...(options.progress === false ? {} : { onProgress: createTerminalProgress() }),
  };
}
