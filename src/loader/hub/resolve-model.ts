// `--model org/name[:QUANT][@rev]` → files in the cache. The cache is asked first (no
// request at all when it holds the model); otherwise one listing call picks the files
// and each is fetched unless its blob is already cached.
import { repoCacheDir, snapshotDir } from './cache-layout.ts';
import { ensureFile } from './ensure-file.ts';
import { HubError } from './errors.ts';
import { fetchListingAndRef } from './listing.ts';
import { formatHubId, parseHubId, type HubModelId } from './model-id.ts';
import { resolveFromCache } from './resolve-cached.ts';
import { hasGguf, selectGguf } from './select-gguf.ts';
import { planSafetensors, shardsFromIndex } from './select-safetensors.ts';
import type { HubDeps, HubModel } from './types.ts';

export interface ResolveOptions {
  /** Ask the hub for the revision's current commit even when the cache holds the model. */
  refresh?: boolean;
}

export async function resolveHubModel(spec: string | HubModelId, deps: HubDeps, options: ResolveOptions = {}): Promise<HubModel> {
  const id = typeof spec === 'string' ? parseHubId(spec) : spec;
  if (deps.env.offline || !options.refresh) {
    const cached = await resolveFromCache(deps, id, !deps.env.offline);
    if (cached) return cached;
    if (deps.env.offline) {
      throw new HubError('offline', id.repo, undefined, `HF_HUB_OFFLINE is set and the cache (${deps.env.cacheDir}) holds no complete copy of ${formatHubId(id)}`);
    }
  }
  const listing = await fetchListingAndRef(deps, id.repo, id.revision);
  const repoDir = repoCacheDir(deps.env.cacheDir, id.repo);
  const dir = snapshotDir(repoDir, listing.commit);
  const info = new Map(listing.files.map((f) => [f.path, f]));
  const paths = [...info.keys()];
  const fetchAll = (files: string[]) =>
    sequence(files, (f, i) => ensureFile(deps, listing, repoDir, info.get(f)!, { fileIndex: i + 1, fileCount: files.length }));

  let kind: HubModel['kind'];
  let files: string[];
  if (id.quant !== undefined || hasGguf(paths)) {
    kind = 'gguf';
    files = selectGguf(id.repo, paths, id.quant).files;
    await fetchAll(files);
  } else {
    kind = 'safetensors';
    const plan = planSafetensors(id.repo, paths);
    let weights = plan.weights ?? [];
    if (plan.index) {
      const [indexPath] = await fetchAll([plan.index]);
      const text = await deps.storage.readText(indexPath);
      const { shards, missing } = shardsFromIndex(id.repo, text ?? '', paths);
      if (missing.length > 0) {
        throw new HubError('no-match', id.repo, plan.index, `names shard files the repository does not have: ${missing.join(', ')}`);
      }
      weights = shards;
    }
    await fetchAll([...plan.meta, ...weights]);
    files = [...plan.meta, ...(plan.index ? [plan.index] : []), ...weights];
  }
  return { repo: id.repo, revision: id.revision, commit: listing.commit, kind, dir, files, paths: files.map((f) => `${dir}/${f}`) };
}

async function sequence<T, R>(items: readonly T[], fn: (item: T, i: number) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i++) out.push(await fn(items[i], i));
  return out;
}
