// A small Hugging Face hub on 127.0.0.1 for tests: the revision listing API, resolve
// URLs (LFS files 302 to a CDN path, as the real hub redirects to its CDN), Range
// requests, a private repo behind a token, 404s with the hub's X-Error-Code, and
// switches that break a download: drop the connection, stall, corrupt, vanish.
import { createHash } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRepoSpec {
  /** `org/name`. */
  id: string;
  /** Repo-relative path → content. `.gguf` / `.safetensors` files are served as LFS files. */
  files: Record<string, Uint8Array | string>;
  /** Answer 401 unless the request carries the hub's token. */
  private?: boolean;
}

export interface FakeHubRequest {
  method: string;
  url: string;
  status: number;
  range?: string;
  authorization?: string;
  /** Body bytes sent (so far). */
  bytes: number;
}

interface FakeFile {
  content: Uint8Array;
  lfs: boolean;
  sha256: string;
  gitOid: string;
}

interface FakeRepo {
  spec: FakeRepoSpec;
  commit: string;
  files: Map<string, FakeFile>;
}

export interface FakeHub {
  url: string;
  token: string;
  requests: FakeHubRequest[];
  /** The next `times` downloads of `path` send `afterBytes` body bytes, then drop the connection. */
  drop(path: string, afterBytes: number, times?: number): void;
  /** The next download of `path` sends `afterBytes` body bytes, then goes silent. */
  stall(path: string, afterBytes: number): void;
  /** Files served with one byte flipped (same size, wrong hash). */
  corrupt: Set<string>;
  /** Files that stay in the listing but whose resolve URL answers 404. */
  gone: Set<string>;
  /** Answer Range requests with the whole file (200), as some proxies do. */
  ignoreRange: boolean;
  commitOf(repo: string): string;
  fileOf(repo: string, path: string): FakeFile;
  /** Replaces a repo's files: a new commit on main. */
  setFiles(repo: string, files: FakeRepoSpec['files']): void;
  close(): Promise<void>;
}

const hex = (alg: string, ...parts: (Uint8Array | string)[]) => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest('hex');
};
const gitOid = (bytes: Uint8Array) => hex('sha1', `blob ${bytes.length}\0`, bytes);

function buildRepo(spec: FakeRepoSpec): FakeRepo {
  const files = new Map<string, FakeFile>();
  for (const [path, raw] of Object.entries(spec.files)) {
    const content = typeof raw === 'string' ? new TextEncoder().encode(raw) : raw;
    const lfs = /\.(gguf|safetensors)$/.test(path);
    const sha256 = hex('sha256', content);
    // An LFS file's git blob is its pointer file.
    const pointer = `version https://git-lfs.github.com/spec/v1\noid sha256:${sha256}\nsize ${content.length}\n`;
    files.set(path, { content, lfs, sha256, gitOid: lfs ? gitOid(new TextEncoder().encode(pointer)) : gitOid(content) });
  }
  const commit = hex('sha1', spec.id, ...[...files].map(([p, f]) => `${p}:${f.sha256}`));
  return { spec, commit, files };
}

export async function startFakeHub(specs: FakeRepoSpec[], token = 'hf_fake_token_1234'): Promise<FakeHub> {
  const repos = new Map(specs.map((s) => [s.id, buildRepo(s)]));
  const drops = new Map<string, { afterBytes: number; times: number }>();
  const stalls = new Map<string, number>();
  const requests: FakeHubRequest[] = [];
  let base = '';

  const hub: FakeHub = {
    url: '',
    token,
    requests,
    drop: (path, afterBytes, times = 1) => void drops.set(path, { afterBytes, times }),
    stall: (path, afterBytes) => void stalls.set(path, afterBytes),
    corrupt: new Set(),
    gone: new Set(),
    ignoreRange: false,
    commitOf: (repo) => repos.get(repo)!.commit,
    fileOf: (repo, path) => repos.get(repo)!.files.get(path)!,
    setFiles: (repo, files) => void repos.set(repo, buildRepo({ ...repos.get(repo)!.spec, files })),
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };

  function serveBytes(req: IncomingMessage, res: ServerResponse, log: FakeHubRequest, path: string, file: FakeFile) {
    let body = file.content;
    if (hub.corrupt.has(path)) {
      body = body.slice();
      body[body.length >> 1] ^= 0xff;
    }
    const size = body.length;
    const range = hub.ignoreRange ? undefined : /^bytes=(\d+)-$/.exec(req.headers.range ?? '');
    let start = 0;
    if (range) {
      start = Number(range[1]);
      if (start >= size) {
        log.status = 416;
        res.writeHead(416, { 'content-range': `bytes */${size}` }).end();
        return;
      }
      log.status = 206;
      res.writeHead(206, { 'content-range': `bytes ${start}-${size - 1}/${size}`, 'content-length': size - start, 'accept-ranges': 'bytes' });
    } else {
      log.status = 200;
      res.writeHead(200, { 'content-length': size, 'accept-ranges': 'bytes', etag: `"${file.lfs ? file.sha256 : file.gitOid}"` });
    }
    if (req.method === 'HEAD') return void res.end();
    const part = body.subarray(start);
    const drop = drops.get(path);
    const stallAt = stalls.get(path);
    if (drop && drop.times > 0) {
      if (--drop.times === 0) drops.delete(path);
      log.bytes = Math.min(drop.afterBytes, part.length);
      // Let the client read the bytes before the reset: fetch discards chunks it has
      // received but not yet read when the stream errors.
      res.write(part.subarray(0, drop.afterBytes), () => setTimeout(() => res.socket?.destroy(), 50));
    } else if (stallAt !== undefined) {
      stalls.delete(path);
      log.bytes = Math.min(stallAt, part.length);
      res.write(part.subarray(0, stallAt)); // and never end: the client must give up
    } else {
      log.bytes = part.length;
      res.end(part);
    }
  }

  function fail(res: ServerResponse, log: FakeHubRequest, status: number, code: string, message: string) {
    log.status = status;
    res.writeHead(status, { 'content-type': 'application/json', 'x-error-code': code, 'x-error-message': message });
    res.end(JSON.stringify({ error: message }));
  }

  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', base);
    const log: FakeHubRequest = { method: req.method ?? 'GET', url: url.pathname + url.search, status: 0, bytes: 0 };
    if (req.headers.range) log.range = req.headers.range;
    if (req.headers.authorization) log.authorization = req.headers.authorization;
    requests.push(log);

    const cdn = /^\/cdn\/([^/]+)\/([0-9a-f]{64})$/.exec(url.pathname);
    if (cdn) {
      const repo = repos.get(decodeURIComponent(cdn[1]));
      const entry = repo && [...repo.files].find(([, f]) => f.sha256 === cdn[2]);
      return entry ? serveBytes(req, res, log, entry[0], entry[1]) : fail(res, log, 404, 'EntryNotFound', 'no such object');
    }
    const m =
      /^\/api\/models\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname) ??
      /^\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    if (!m) return fail(res, log, 404, 'NotFound', 'no such route');
    const repo = repos.get(m[1]);
    if (!repo) return fail(res, log, 404, 'RepoNotFound', 'Repository not found');
    if (repo.spec.private && req.headers.authorization !== `Bearer ${token}`) {
      return fail(res, log, 401, 'RepoNotFound', 'Invalid credentials in Authorization header');
    }
    const revision = decodeURIComponent(m[2]);
    if (revision !== 'main' && revision !== repo.commit) return fail(res, log, 404, 'RevisionNotFound', `Invalid rev id: ${revision}`);

    if (m[3] === undefined) {
      log.status = 200;
      const siblings = [...repo.files].map(([rfilename, f]) => ({
        rfilename,
        size: f.content.length,
        blobId: f.gitOid,
        ...(f.lfs ? { lfs: { sha256: f.sha256, size: f.content.length, pointerSize: 134 } } : {}),
      }));
      res.writeHead(200, { 'content-type': 'application/json' });
      return void res.end(JSON.stringify({ id: repo.spec.id, sha: repo.commit, siblings }));
    }
    const path = m[3].split('/').map(decodeURIComponent).join('/');
    const file = repo.files.get(path);
    if (!file || hub.gone.has(path)) return fail(res, log, 404, 'EntryNotFound', `${path} does not exist on "${revision}"`);
    if (!file.lfs) {
      res.setHeader('x-repo-commit', repo.commit);
      return serveBytes(req, res, log, path, file);
    }
    log.status = 302;
    res.writeHead(302, {
      'x-repo-commit': repo.commit,
      location: `${base}/cdn/${encodeURIComponent(repo.spec.id)}/${file.sha256}`,
      'x-linked-etag': `"${file.sha256}"`,
      'x-linked-size': String(file.content.length),
      etag: `"${file.gitOid}"`,
    });
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  hub.url = base;
  return hub;
}
