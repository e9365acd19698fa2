// The huggingface_hub cache layout, so files any HF tool downloaded are found and reused:
//   <cacheDir>/models--org--name/
//     refs/<revision>                  the commit the revision pointed at (text)
//     blobs/<etag>                     file bytes; etag = sha256 (LFS) or git blob sha1
//     blobs/<etag>.incomplete          a download in progress (resumed with Range)
//     snapshots/<commit>/<path>        symlink → ../../blobs/<etag> (one ../ per folder)
// Paths are joined with `/`, which every runtime (Windows included) accepts.

export const isCommitHash = (s: string) => /^[0-9a-f]{40}$/.test(s);

export function repoCacheDir(cacheDir: string, repo: string): string {
  return `${cacheDir}/models--${repo.replace('/', '--')}`;
}

export const refPath = (repoDir: string, revision: string) => `${repoDir}/refs/${revision}`;
export const blobPath = (repoDir: string, etag: string) => `${repoDir}/blobs/${etag}`;
export const snapshotDir = (repoDir: string, commit: string) => `${repoDir}/snapshots/${commit}`;
export const snapshotPath = (repoDir: string, commit: string, file: string) => `${snapshotDir(repoDir, commit)}/${file}`;

/** The relative symlink target from snapshots/<commit>/<file> to blobs/<etag>. */
export function blobLinkTarget(file: string, etag: string): string {
  const depth = file.split('/').length - 1;
  return `${'../'.repeat(depth + 2)}blobs/${etag}`;
}
