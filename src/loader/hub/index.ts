// Hugging Face hub client: model ids, file choice, a cache shared with huggingface_hub,
// resumable verified downloads. Runtime-agnostic: fetch, storage and env come in.
export { blobLinkTarget, isCommitHash, repoCacheDir } from './cache-layout.ts';
export { createPortableHasher } from './create-hasher.ts';
export { downloadHubFile } from './download-file.ts';
export { DEFAULT_HUB_ENDPOINT, hfHome, hubTokenPath, resolveHubEnv, type EnvVars, type HubEnv } from './env.ts';
export { HubError, isHubError, type HubErrorCode } from './errors.ts';
export type { CreateHasher, HashAlgorithm, Hasher } from './hash.ts';
export { parseRepoListing } from './listing.ts';
export { DEFAULT_REVISION, formatHubId, isHubId, parseHubId, type HubModelId } from './model-id.ts';
export { formatBytes, formatProgressLine } from './progress-format.ts';
export { resolveFromCache } from './resolve-cached.ts';
export { resolveHubModel, type ResolveOptions } from './resolve-model.ts';
export { DEFAULT_QUANTS, ggufUnits, pickGguf, selectGguf, type GgufUnit } from './select-gguf.ts';
export { planSafetensors, SAFETENSORS_INDEX, SAFETENSORS_META, shardsFromIndex, type SafetensorsPlan } from './select-safetensors.ts';
export { Sha1 } from './sha1.ts';
export { Sha256 } from './sha256.ts';
export type { HubFileWriter, HubStorage } from './storage.ts';
export type { HubDeps, HubFileInfo, HubModel, HubProgressEvent, HubProgressPhase, RepoListing } from './types.ts';
