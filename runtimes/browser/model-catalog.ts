// The models a tab offers before anything is downloaded: a manifest (JSON, fetched from the
// page's origin) lists them, each as a plain URL with its size and SHA-256, or as a
// Hugging Face hub id whose file, size and SHA-256 come from the hub's listing API (the
// same call the Node hub client makes). Nothing is downloaded here; model-store.ts
// fetches and checks the file when the model is first loaded.
//
//   { "models": [
//       { "id": "tiny-qwen3", "hub": "org/tiny-qwen3-GGUF:Q8_0", "endpoint": "https://huggingface.co" },
//       { "id": "my-model", "url": "/models/my-model.gguf", "size": 16459072, "sha256": "…" } ] }
import type { ModelType } from '../../src/engine/model-registry.ts';
import { DEFAULT_HUB_ENDPOINT, parseHubId, parseRepoListing, selectGguf } from '../../src/loader/hub/index.ts';
import type { RemoteFile } from './model-store.ts';

export interface CatalogEntry {
  /** What clients put in `model`. */
  id: string;
  /** A GGUF file URL (relative to the manifest). */
  url?: string;
  /** Or a hub id, org/name[:QUANT][@revision] (GGUF repositories). */
  hub?: string;
  /** The hub's address (default https://huggingface.co; relative to the manifest). */
  endpoint?: string;
  size?: number;
  sha256?: string;
  type?: ModelType;
  contextLength?: number;
  description?: string;
}

export class CatalogError extends Error {
  override name = 'CatalogError';
}

/** The manifest's entries with URLs made absolute; [] when there is no manifest (404). */
export async function fetchCatalog(manifestUrl: string, fetchFn: typeof fetch = fetch): Promise<CatalogEntry[]> {
  const res = await fetchFn(manifestUrl, { cache: 'no-store' });
  if (res.status === 404) return [];
  if (!res.ok) throw new CatalogError(`${manifestUrl}: HTTP ${res.status}`);
  return parseCatalog(await res.json(), manifestUrl);
}

export function parseCatalog(body: unknown, baseUrl: string): CatalogEntry[] {
  const models = (body as { models?: unknown })?.models;
  if (!Array.isArray(models)) throw new CatalogError(`${baseUrl}: expected {"models": [...]}`);
  return models.map((m: CatalogEntry, i) => {
    const where = `${baseUrl}: models[${i}]`;
    if (typeof m?.id !== 'string' || !m.id) throw new CatalogError(`${where}: no id`);
    if ((m.url === undefined) === (m.hub === undefined)) throw new CatalogError(`${where} (${m.id}): give either url or hub`);
    if (m.sha256 !== undefined && !/^[0-9a-fA-F]{64}$/.test(m.sha256)) throw new CatalogError(`${where} (${m.id}): sha256 must be 64 hex digits`);
    if (m.hub !== undefined) parseHubId(m.hub);
    return {
      ...m,
      ...(m.url !== undefined && { url: new URL(m.url, baseUrl).href }),
      ...(m.endpoint !== undefined && { endpoint: new URL(m.endpoint, baseUrl).href.replace(/\/$/, '') }),
    };
  });
}

/** The file to download for an entry; hub entries ask the hub for the file, its size and SHA-256. */
export async function resolveRemote(entry: CatalogEntry, fetchFn: typeof fetch = fetch): Promise<RemoteFile> {
  if (entry.url !== undefined) {
    const name = decodeURIComponent(new URL(entry.url).pathname.split('/').pop() || entry.id);
    return { url: entry.url, name, source: entry.url, size: entry.size, sha256: entry.sha256 };
  }
  const id = parseHubId(entry.hub!);
  const endpoint = entry.endpoint ?? DEFAULT_HUB_ENDPOINT;
  const listUrl = `${endpoint}/api/models/${id.repo}/revision/${encodeURIComponent(id.revision)}?blobs=true`;
  const res = await fetchFn(listUrl, { headers: { accept: 'application/json' } });
  if (!res.ok) throw new CatalogError(`${entry.hub}: the hub's file listing failed (HTTP ${res.status} from ${listUrl})`);
  const listing = parseRepoListing(await res.json(), id.repo, id.revision);
  const unit = selectGguf(id.repo, listing.files.map((f) => f.path), id.quant);
  if (unit.files.length > 1) throw new CatalogError(`${entry.hub}: ${unit.label} is split into ${unit.files.length} files, which the browser loader does not read yet`);
  const file = listing.files.find((f) => f.path === unit.files[0])!;
  return {
    url: `${endpoint}/${id.repo}/resolve/${listing.commit}/${file.path.split('/').map(encodeURIComponent).join('/')}`,
    name: file.path.split('/').pop()!,
    source: entry.hub!,
    size: file.size,
    ...(file.sha256 !== undefined && { sha256: file.sha256 }),
  };
}
