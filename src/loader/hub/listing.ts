// One API call lists a repository at a revision: its commit and every file with size
// and hash. GET /api/models/{repo}/revision/{rev}?blobs=true answers
//   { "sha": "<commit>", "siblings": [ { "rfilename", "size", "blobId",
//                                        "lfs": { "sha256", "size", "pointerSize" } } ] }
import { refPath, repoCacheDir } from './cache-layout.ts';
import { HubError } from './errors.ts';
import { describeFailure, hubFetch, idleSeconds, readText, statusError, type HubTarget } from './http.ts';
import type { HubDeps, HubFileInfo, RepoListing } from './types.ts';

export async function fetchRepoListing(deps: HubDeps, repo: string, revision: string): Promise<RepoListing> {
  const target: HubTarget = { repo, revision };
  const url = `${deps.env.endpoint}/api/models/${repo}/revision/${encodeURIComponent(revision)}?blobs=true`;
  const { res, watchdog } = await hubFetch(deps, url, target, { accept: 'application/json' });
  let body: unknown;
  try {
    if (!res.ok) throw statusError(res, target, deps);
    body = JSON.parse(await readText(res, watchdog));
  } catch (e) {
    if (e instanceof HubError) throw e;
    const why = watchdog.fired ? `stalled for ${idleSeconds(deps)} s` : describeFailure(e);
    throw new HubError('http', repo, undefined, `bad file listing from ${url} (${why})`, { cause: e });
  } finally {
    watchdog.stop();
  }
  return parseRepoListing(body, repo, revision);
}

/** Lists the revision and records refs/<revision> → commit, as huggingface_hub does. */
export async function fetchListingAndRef(deps: HubDeps, repo: string, revision: string): Promise<RepoListing> {
  const listing = await fetchRepoListing(deps, repo, revision);
  if (listing.commit !== revision) {
    const ref = refPath(repoCacheDir(deps.env.cacheDir, repo), revision);
    try {
      await deps.storage.writeText(ref, listing.commit);
    } catch (e) {
      throw new HubError('storage', repo, undefined, `cannot write ${ref} (${describeFailure(e)})`, { cause: e });
    }
  }
  return listing;
}

export function parseRepoListing(body: unknown, repo: string, revision: string): RepoListing {
  const bad = (why: string): never => {
    throw new HubError('http', repo, undefined, `the hub's file listing is not what the API promises: ${why}`);
  };
  if (!isObject(body)) return bad('not a JSON object');
  const { sha, siblings } = body;
  if (typeof sha !== 'string' || !/^[0-9a-f]{40}$/.test(sha)) return bad('no commit sha');
  if (!Array.isArray(siblings)) return bad('no siblings');
  const files = siblings.map((s): HubFileInfo => {
    if (!isObject(s) || typeof s.rfilename !== 'string') return bad('a sibling without rfilename');
    const path = s.rfilename;
    const lfs = isObject(s.lfs) ? s.lfs : undefined;
    const size = lfs ? lfs.size : s.size;
    if (!Number.isSafeInteger(size) || (size as number) < 0) return bad(`no size for ${path}`);
    if (lfs && (typeof lfs.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(lfs.sha256))) return bad(`bad sha256 for ${path}`);
    if (!lfs && (typeof s.blobId !== 'string' || !/^[0-9a-f]{40}$/.test(s.blobId))) return bad(`no blobId for ${path}`);
    return lfs
      ? { path, size: size as number, sha256: lfs.sha256 as string }
      : { path, size: size as number, gitOid: s.blobId as string };
  });
  return { repo, revision, commit: sha, files };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
