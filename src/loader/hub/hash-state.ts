// The running hash of a partial download. It survives retries within one call, and
// catches up by re-reading the partial file when it starts behind (a resume from an
// earlier run, or a write that failed half way).
import { createPortableHasher } from './create-hasher.ts';
import type { Hasher } from './hash.ts';
import { gitBlobHasher } from './sha1.ts';
import type { HubStorage } from './storage.ts';
import type { HubDeps, HubFileInfo } from './types.ts';

const READ_CHUNK = 8 << 20;

export class HashState {
  private hasher: Hasher;
  /** Bytes of the file fed so far. */
  hashed = 0;
  readonly algorithm: 'sha256' | 'git-sha1';
  readonly expected: string;

  constructor(private readonly deps: HubDeps, private readonly info: HubFileInfo) {
    this.algorithm = info.sha256 ? 'sha256' : 'git-sha1';
    this.expected = info.sha256 ?? info.gitOid ?? '';
    this.hasher = this.fresh();
  }

  private fresh(): Hasher {
    const create = this.deps.createHasher ?? createPortableHasher;
    return this.algorithm === 'sha256' ? create('sha256') : gitBlobHasher(() => create('sha1'), this.info.size);
  }

  reset(): void {
    this.hasher = this.fresh();
    this.hashed = 0;
  }

  feed(bytes: Uint8Array): void {
    this.hasher.update(bytes);
    this.hashed += bytes.length;
  }

  /** Hashes bytes [hashed, size) of `path`; starts over when it is already past `size`. */
  async catchUp(storage: HubStorage, path: string, size: number, onRead: (done: number) => void): Promise<void> {
    if (this.hashed > size) this.reset();
    while (this.hashed < size) {
      const chunk = await storage.read(path, this.hashed, Math.min(READ_CHUNK, size - this.hashed));
      if (chunk.length === 0) throw new Error(`${path} is shorter than ${size} bytes`);
      this.feed(chunk);
      onRead(this.hashed);
    }
  }

  digestHex(): string {
    return this.hasher.digestHex();
  }
}
