// Resolving a model id from the cache alone: refs/<revision> → snapshots/<commit>, then
// the same file choice as online, among the files the snapshot holds. Used for
// HF_HUB_OFFLINE, and before any request so that a model already downloaded (by basert
// or another tool) starts with no network at all.
import { isCommitHash, refPath, repoCacheDir, snapshotDir } from './cache-layout.ts';
import type { HubModelId } from './model-id.ts';
import { DEFAULT_QUANTS, ggufUnits, hasGguf, pickGguf, quantToken } from './select-gguf.ts';
import { planSafetensors, shardsFromIndex } from './select-safetensors.ts';
import type { HubDeps, HubModel } from './types.ts';

/**
 * The cached model `id` means, or null when the cache lacks a complete one.
 * @param strict accept an id without a quant only when the cache holds the default
 *   quant, so the answer is the one the hub's listing would give (online use).
 */
export async function resolveFromCache(deps: HubDeps, id: HubModelId, strict: boolean): Promise<HubModel | null> {
  const { storage } = deps;
  const repoDir = repoCacheDir(deps.env.cacheDir, id.repo);
  const commit = isCommitHash(id.revision) ? id.revision : (await storage.readText(refPath(repoDir, id.revision)))?.trim();
  if (!commit || !isCommitHash(commit)) return null;
  const dir = snapshotDir(repoDir, commit);
  const cached = await storage.listFiles(dir);
  if (cached.length === 0) return null;

  let kind: HubModel['kind'];
  let files: string[];
  if (id.quant !== undefined || hasGguf(cached)) {
    const unit = pickGguf(ggufUnits(cached), id.quant);
    if (!unit || (strict && id.quant === undefined && !quantToken(DEFAULT_QUANTS[0]).test(unit.label))) return null;
    kind = 'gguf';
    files = unit.files;
  } else {
    kind = 'safetensors';
    const chosen = await cachedSafetensors(deps, id, dir, cached);
    if (!chosen) return null;
    files = chosen;
  }
  const sizes = await Promise.all(files.map((f) => storage.stat(`${dir}/${f}`)));
  if (sizes.some((s) => s === null)) return null; // a dangling link: the blob is gone
  files.forEach((path, i) =>
    deps.onProgress?.({ repo: id.repo, path, phase: 'cached', bytesDone: sizes[i]!.size, bytesTotal: sizes[i]!.size, fileIndex: i + 1, fileCount: files.length }),
  );
  return { repo: id.repo, revision: id.revision, commit, kind, dir, files, paths: files.map((f) => `${dir}/${f}`) };
}

async function cachedSafetensors(deps: HubDeps, id: HubModelId, dir: string, cached: string[]): Promise<string[] | null> {
  try {
    const plan = planSafetensors(id.repo, cached);
    if (!plan.index) return [...plan.meta, ...plan.weights!];
    const text = await deps.storage.readText(`${dir}/${plan.index}`);
    if (text === null) return null;
    const { shards, missing } = shardsFromIndex(id.repo, text, cached);
    return missing.length > 0 ? null : [...plan.meta, plan.index, ...shards];
  } catch {
    return null; // not a loadable directory: let the hub (or the offline error) say why
  }
}
