// One file of a listed commit into snapshots/<commit>/<path>: already there, or its blob
// already there (another revision, another tool), or downloaded; then linked.
import { blobLinkTarget, blobPath, snapshotPath } from './cache-layout.ts';
import { downloadBlob } from './download-blob.ts';
import { HubError } from './errors.ts';
import { describeFailure } from './http.ts';
import type { HubDeps, HubFileInfo, HubProgressPhase, RepoListing } from './types.ts';

export interface FileSlot {
  fileIndex: number;
  fileCount: number;
}

/** Returns the absolute snapshot path of `info`. */
export async function ensureFile(deps: HubDeps, listing: RepoListing, repoDir: string, info: HubFileInfo, slot: FileSlot): Promise<string> {
  const { repo, revision, commit } = listing;
  const progress = (phase: HubProgressPhase, bytesDone: number) =>
    deps.onProgress?.({ repo, path: info.path, phase, bytesDone, bytesTotal: info.size, ...slot });
  const snapshot = snapshotPath(repoDir, commit, info.path);
  if ((await deps.storage.stat(snapshot))?.size === info.size) {
    progress('cached', info.size);
    return snapshot;
  }
  const etag = info.sha256 ?? info.gitOid!;
  const blob = blobPath(repoDir, etag);
  const existing = await deps.storage.stat(blob);
  if (existing?.size === info.size) {
    progress('cached', info.size);
  } else {
    if (existing) await deps.storage.remove(blob); // wrong size: not this file, whatever wrote it
    await downloadBlob(deps, { target: { repo, revision, file: info.path }, commit, info, blob, progress });
  }
  try {
    await deps.storage.link(blobLinkTarget(info.path, etag), snapshot);
  } catch (e) {
    throw new HubError('storage', repo, info.path, `cannot link ${snapshot} to its blob (${describeFailure(e)})`, { cause: e });
  }
  return snapshot;
}
