// One named file of a repository (hf_hub_download): a tokenizer from another repo, a
// single config. Cache first, like resolveHubModel.
import { isCommitHash, refPath, repoCacheDir, snapshotPath } from './cache-layout.ts';
import { ensureFile } from './ensure-file.ts';
import { HubError } from './errors.ts';
import { fetchListingAndRef } from './listing.ts';
import { DEFAULT_REVISION } from './model-id.ts';
import type { HubDeps } from './types.ts';

/** Returns the file's absolute path in the cache's snapshot folder. */
export async function downloadHubFile(
  deps: HubDeps, repo: string, path: string, options: { revision?: string; refresh?: boolean } = {},
): Promise<string> {
  const revision = options.revision ?? DEFAULT_REVISION;
  const repoDir = repoCacheDir(deps.env.cacheDir, repo);
  if (deps.env.offline || !options.refresh) {
    const commit = isCommitHash(revision) ? revision : (await deps.storage.readText(refPath(repoDir, revision)))?.trim();
    const cached = commit && isCommitHash(commit) ? snapshotPath(repoDir, commit, path) : undefined;
    if (cached && (await deps.storage.stat(cached))) return cached;
    if (deps.env.offline) {
      throw new HubError('offline', repo, path, `HF_HUB_OFFLINE is set and the cache (${deps.env.cacheDir}) does not hold it at revision ${revision}`);
    }
  }
  const listing = await fetchListingAndRef(deps, repo, revision);
  const info = listing.files.find((f) => f.path === path);
  if (!info) throw new HubError('not-found', repo, path, `not found at revision ${revision} (the repository has no such file)`);
  return ensureFile(deps, listing, repoDir, info, { fileIndex: 1, fileCount: 1 });
}
