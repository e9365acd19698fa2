// Downloads one file into blobs/<etag>: bytes go to blobs/<etag>.incomplete (resumed
// with a Range request when it exists, as huggingface_hub does), are hashed as they
// arrive, and the file is renamed to its final name only once its size and hash match
// what the hub reports. A dropped connection keeps the partial file and is retried;
// bad bytes delete it. So the cache never holds an unverified file under a final name.
import { HubError } from './errors.ts';
import { HashState } from './hash-state.ts';
import { describeFailure, encodePath, hubFetch, idleSeconds, isTransientStatus, statusError, type HubTarget } from './http.ts';
import { formatBytes } from './progress-format.ts';
import type { HubDeps, HubFileInfo, HubProgressPhase } from './types.ts';

export interface BlobJob {
  target: HubTarget & { file: string };
  commit: string;
  info: HubFileInfo;
  /** blobs/<etag> */
  blob: string;
  progress: (phase: HubProgressPhase, bytesDone: number) => void;
}

export async function downloadBlob(deps: HubDeps, job: BlobJob): Promise<void> {
  const partial = `${job.blob}.incomplete`;
  const hash = new HashState(deps, job.info);
  const maxRetries = deps.maxRetries ?? 3;
  for (let attempt = 0; ; attempt++) {
    try {
      await fetchInto(deps, job, partial, hash);
      break;
    } catch (e) {
      if (attempt >= maxRetries || !isRetryable(e)) throw e;
      await new Promise((r) => setTimeout(r, Math.min(8000, (deps.retryDelayMs ?? 500) * 2 ** attempt)));
    }
  }
  const actual = hash.digestHex();
  if (actual !== hash.expected) {
    await deps.storage.remove(partial);
    const what = hash.algorithm === 'sha256' ? 'sha256' : 'git blob id';
    throw fail('integrity', job, `${what} mismatch: the hub reports ${hash.expected}, the downloaded bytes give ${actual}; the download was deleted, run again to retry`);
  }
  await storage(job, () => deps.storage.rename(partial, job.blob));
  job.progress('done', job.info.size);
}

// 416 covers both ways a resume can go wrong (refused, or answered at another offset):
// the partial file is deleted first, so the retry starts from zero.
const isRetryable = (e: unknown) =>
  e instanceof HubError && (e.code === 'network' || (e.code === 'http' && e.status !== undefined && (isTransientStatus(e.status) || e.status === 416)));

const fail = (code: HubError['code'], job: BlobJob, problem: string, opts?: { cause?: unknown; status?: number }) =>
  new HubError(code, job.target.repo, job.target.file, problem, opts);

async function storage<T>(job: BlobJob, op: () => Promise<T>): Promise<T> {
  try {
    return await op();
  } catch (e) {
    throw fail('storage', job, `the hub cache failed (${describeFailure(e)})`, { cause: e });
  }
}

/** One request: resume (or start) the partial file and read the body to its end. */
async function fetchInto(deps: HubDeps, job: BlobJob, partial: string, hash: HashState): Promise<void> {
  const { size } = job.info;
  let have = (await deps.storage.stat(partial))?.size ?? 0;
  if (have > size) {
    await storage(job, () => deps.storage.remove(partial));
    have = 0;
  }
  await storage(job, () => hash.catchUp(deps.storage, partial, have, (n) => job.progress('verify', n)));
  if (have === size) return;

  const url = `${deps.env.endpoint}/${job.target.repo}/resolve/${job.commit}/${encodePath(job.info.path)}`;
  const headers: Record<string, string> = { 'accept-encoding': 'identity' };
  if (have > 0) headers.range = `bytes=${have}-`;
  const { res, watchdog } = await hubFetch(deps, url, job.target, headers);
  try {
    if (res.status === 416) {
      await storage(job, () => deps.storage.remove(partial));
      throw fail('http', job, 'the server refused to resume the partial download (HTTP 416); starting over', { status: 416 });
    }
    if (!res.ok) throw statusError(res, job.target, deps);
    if (res.status === 206) {
      const start = /^bytes (\d+)-/.exec(res.headers.get('content-range') ?? '')?.[1];
      if (Number(start) !== have) {
        await storage(job, () => deps.storage.remove(partial));
        throw fail('http', job, `asked to resume at byte ${have}, got range "${res.headers.get('content-range')}"; starting over`, { status: 416 });
      }
    } else if (have > 0) {
      // 200 to a Range request: the server sends the whole file, so start over.
      await storage(job, () => deps.storage.remove(partial));
      hash.reset();
      have = 0;
    }
    if (!res.body) throw fail('http', job, `empty response body (HTTP ${res.status})`);
    have = await readBody(deps, job, res.body, partial, hash, have, () => watchdog.touch(), () => watchdog.fired);
  } finally {
    watchdog.stop();
    await res.body?.cancel().catch(() => {});
  }
  if (have < size) {
    throw fail('network', job, `the connection closed after ${formatBytes(have)} of ${formatBytes(size)}; the partial download is kept for resuming`);
  }
}

async function readBody(
  deps: HubDeps, job: BlobJob, body: ReadableStream<Uint8Array>, partial: string, hash: HashState,
  have: number, touch: () => void, stalled: () => boolean,
): Promise<number> {
  const { size } = job.info;
  const reader = body.getReader();
  const writer = await storage(job, () => deps.storage.openAppend(partial));
  let overflow = false;
  job.progress('download', have);
  try {
    for (;;) {
      let chunk: ReadableStreamReadResult<Uint8Array>;
      try {
        chunk = await reader.read();
      } catch (e) {
        const why = stalled() ? `no data for ${idleSeconds(deps)} s` : describeFailure(e);
        throw fail('network', job, `download interrupted after ${formatBytes(have)} of ${formatBytes(size)} (${why}); the partial download is kept for resuming`, { cause: e });
      }
      if (chunk.done) break;
      touch();
      if (have + chunk.value.length > size) {
        overflow = true;
        break;
      }
      await storage(job, () => writer.write(chunk.value));
      hash.feed(chunk.value);
      have += chunk.value.length;
      job.progress('download', have);
    }
  } finally {
    reader.releaseLock();
    await storage(job, () => writer.close());
  }
  if (overflow) {
    await storage(job, () => deps.storage.remove(partial));
    throw fail('integrity', job, `the server sent more than the ${size} bytes the hub reports; the download was deleted`);
  }
  return have;
}
