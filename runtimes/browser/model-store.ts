// Model files kept in the Cache API, so a model is fetched once and a service worker that
// the browser stopped can load it again without any page's help. Each file is one cache
// entry under a synthetic same-origin URL; an index entry (written only after the size
// and SHA-256 check out) says which entries are complete. Reads go through a Blob, which
// Chromium backs by the cache's disk entry: a multi-GB model is never pulled into the JS
// heap, the loader reads the ranges it needs (src/loader/byte-source.ts).
import { blobSource, type ByteSource } from '../../src/loader/byte-source.ts';
import { Sha256 } from '../../src/loader/hub/index.ts';

export const MODEL_CACHE = 'basert-models-v1';
const INDEX_PATH = '/__basert/models/index.json';

export interface StoredModel {
  /** The model id clients send. */
  id: string;
  /** The file's name (a hub or URL file name, or the picked file's name). */
  name: string;
  /** Where it came from: a URL, a hub id, or `file:<name>` for a file picked from disk. */
  source: string;
  size: number;
  sha256: string;
  /** Unix ms. */
  storedAt: number;
}

/** A file to download, with what its publisher (the hub, a manifest) says it is. */
export interface RemoteFile {
  url: string;
  name: string;
  /** Where it came from, for the index (a hub id or the URL). */
  source: string;
  size?: number;
  sha256?: string;
}

export type StoreProgress = (bytesDone: number, bytesTotal: number) => void;

export class ModelIntegrityError extends Error {
  override name = 'ModelIntegrityError';
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`;

export class ModelStore {
  private indexLock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly origin: string,
    private readonly caches: CacheStorage = globalThis.caches,
    private readonly fetchFn: typeof fetch = globalThis.fetch.bind(globalThis),
  ) {}

  private key(id: string): string {
    return `${this.origin}/__basert/models/file/${encodeURIComponent(id)}`;
  }

  private open(): Promise<Cache> {
    return this.caches.open(MODEL_CACHE);
  }

  async list(): Promise<StoredModel[]> {
    const res = await (await this.open()).match(this.origin + INDEX_PATH);
    return res ? ((await res.json()) as StoredModel[]) : [];
  }

  async get(id: string): Promise<StoredModel | undefined> {
    return (await this.list()).find((m) => m.id === id);
  }

  /** A byte-range reader over a stored file. */
  async source(m: StoredModel): Promise<ByteSource> {
    const res = await (await this.open()).match(this.key(m.id));
    if (!res) throw new ModelIntegrityError(`${m.id}: the stored file is gone (storage cleared?)`);
    const blob = await res.blob();
    if (blob.size !== m.size) throw new ModelIntegrityError(`${m.id}: the stored file has ${blob.size} bytes, expected ${m.size}`);
    return blobSource(blob, m.name);
  }

  /** Downloads `remote`, checking its size and SHA-256 against what the publisher reported. */
  async download(id: string, remote: RemoteFile, progress: StoreProgress, signal?: AbortSignal): Promise<StoredModel> {
    await this.checkQuota(id, remote.size);
    const res = await this.fetchFn(remote.url, { signal });
    if (!res.ok || !res.body) throw new Error(`${id}: downloading ${remote.url} failed: HTTP ${res.status} ${res.statusText}`.trim());
    const len = Number(res.headers.get('content-length') ?? NaN);
    const total = remote.size ?? (Number.isFinite(len) ? len : 0);
    return this.write(id, remote.name, remote.source, res.body, total, remote, progress);
  }

  /** Copies a file the user picked into the store (it must outlive this page and worker). */
  async putFile(id: string, file: Blob, name: string, progress: StoreProgress): Promise<StoredModel> {
    await this.checkQuota(id, file.size);
    return this.write(id, name, `file:${name}`, file.stream(), file.size, { size: file.size }, progress);
  }

  async remove(id: string): Promise<void> {
    await this.updateIndex((list) => list.filter((m) => m.id !== id));
    await (await this.open()).delete(this.key(id));
  }

  private async write(
    id: string, name: string, source: string, body: ReadableStream<Uint8Array>, total: number,
    expect: { size?: number; sha256?: string }, progress: StoreProgress,
  ): Promise<StoredModel> {
    const hasher = new Sha256();
    let done = 0;
    let lastReport = 0;
    const counted = body.pipeThrough(new TransformStream<Uint8Array, Uint8Array>({
      transform(chunk, ctl) {
        hasher.update(chunk);
        done += chunk.byteLength;
        // At most ~200 progress events per file, plus the last.
        if (done - lastReport >= total / 200 || done === total) {
          lastReport = done;
          progress(done, total);
        }
        ctl.enqueue(chunk);
      },
    }));
    // Forget the old copy first: a crash half-way must not leave an index entry that
    // vouches for a different file.
    await this.updateIndex((list) => list.filter((m) => m.id !== id));
    const cache = await this.open();
    await cache.put(this.key(id), new Response(counted, { headers: { 'content-type': 'application/octet-stream' } }));
    const sha256 = hasher.digestHex();
    const fail = async (why: string): Promise<never> => {
      await cache.delete(this.key(id));
      throw new ModelIntegrityError(`${id}: ${why}; the file was discarded`);
    };
    if (expect.size !== undefined && done !== expect.size) await fail(`got ${done} bytes, but its publisher reports ${expect.size}`);
    if (expect.sha256 !== undefined && sha256 !== expect.sha256.toLowerCase()) await fail(`SHA-256 ${sha256} does not match the published ${expect.sha256}`);
    const entry: StoredModel = { id, name, source, size: done, sha256, storedAt: Date.now() };
    await this.updateIndex((list) => [...list.filter((m) => m.id !== id), entry]);
    return entry;
  }

  /** Refuses up front what the origin's storage quota cannot hold. */
  private async checkQuota(id: string, size: number | undefined): Promise<void> {
    const storage = (globalThis.navigator as Navigator | undefined)?.storage;
    if (size === undefined || !storage?.estimate) return;
    const { quota, usage } = await storage.estimate();
    if (quota === undefined || usage === undefined) return;
    if (size > quota - usage) {
      throw new Error(`${id}: the file needs ${mib(size)} but this site may store only ${mib(quota - usage)} more; free space or remove stored models`);
    }
  }

  private updateIndex(f: (list: StoredModel[]) => StoredModel[]): Promise<void> {
    const run = this.indexLock.then(async () => {
      const next = f(await this.list());
      await (await this.open()).put(this.origin + INDEX_PATH, Response.json(next));
    });
    this.indexLock = run.catch(() => {});
    return run;
  }
}
