// The registry's loader in a tab: the model's file from the store (downloaded and checked
// first when missing), its GGUF header, the plan against the device's limits, the weights
// onto the GPU, and an Engine. What Node's `basert serve` does in src/cli/serve.ts, with
// the Cache API for a file system and progress events for a console.
import { Engine } from '../../src/engine/engine.ts';
import { loadedModel, type LoadedModel, type ModelSpec } from '../../src/engine/model-registry.ts';
import type { GpuDevice } from '../../src/gpu/device.ts';
import type { KvBits } from '../../src/gpu/kv-cache.ts';
import { fetchRangeSource, type ByteSource } from '../../src/loader/byte-source.ts';
import { readGguf } from '../../src/loader/gguf/index.ts';
import type { OpenedModel } from '../../src/loader/model-source.ts';
import { loadModel, ModelError, planModel } from '../../src/model/index.ts';
import type { HostEvent, LoadPhase } from './events.ts';
import { resolveRemote, type CatalogEntry } from './model-catalog.ts';
import { ModelIntegrityError, type ModelStore, type RemoteFile, type StoredModel } from './model-store.ts';

export interface EngineSettings {
  /** Tokens per request (prompt + output), capped by what the model was trained for. */
  maxContext: number;
  kvBits: KvBits;
  continuousBatching: number;
  prefixCache: boolean;
}

export interface LoaderDeps {
  device(): Promise<GpuDevice>;
  store: ModelStore;
  catalog(id: string): CatalogEntry | undefined;
  fetch: typeof fetch;
  emit(e: HostEvent): void;
  settings: EngineSettings;
  log(line: string): void;
}

/** Reports how far a sequential reader got (the loader reads tensors in file order). */
function countingSource(src: ByteSource, report: (bytesRead: number) => void): ByteSource {
  let high = 0;
  return {
    name: src.name,
    size: src.size,
    read: async (offset, length) => {
      const bytes = await src.read(offset, length);
      if (offset + bytes.byteLength > high) report((high = offset + bytes.byteLength));
      return bytes;
    },
  };
}

const gguf = async (src: ByteSource): Promise<OpenedModel> => ({ kind: 'gguf', gguf: await readGguf(src), close: async () => {} });

/**
 * Reads only the GGUF header over HTTP Range requests and plans the model on this device,
 * so a model the device cannot hold fails before gigabytes are downloaded. A server
 * without Range support skips the check (the full check runs after the download).
 */
async function precheck(gpu: GpuDevice, remote: RemoteFile, fetchFn: typeof fetch, settings: EngineSettings): Promise<void> {
  let opened: OpenedModel;
  try {
    opened = await gguf(await fetchRangeSource(remote.url, { fetch: fetchFn, name: remote.name }));
  } catch {
    return;
  }
  planModel(gpu, opened, { kvBits: settings.kvBits, maxContext: contextFor(gpu, opened, settings.maxContext) });
}

function contextFor(gpu: GpuDevice, opened: OpenedModel, want: number): number {
  const trained = planModel(gpu, opened, { maxContext: 16 }).config.maxPositionEmbeddings;
  return trained > 0 ? Math.min(want, trained) : want;
}

export function browserModelLoader(deps: LoaderDeps): (spec: ModelSpec) => Promise<LoadedModel> {
  return async (spec) => {
    const progress = (phase: LoadPhase, bytesDone: number, bytesTotal: number, message?: string) =>
      deps.emit({ type: 'progress', model: spec.id, phase, bytesDone, bytesTotal, ...(message !== undefined && { message }) });
    try {
      const gpu = await deps.device();
      let stored = await deps.store.get(spec.id);
      let file = stored && (await storedSource(deps.store, stored));
      if (!stored || !file) {
        stored = await fetchIntoStore(spec, gpu, deps, progress);
        file = await deps.store.source(stored);
      }
      const size = stored.size;
      const src = countingSource(file, (n) => progress('load', n, size));
      const opened = await gguf(src);
      const maxContext = contextFor(gpu, opened, spec.contextLength ?? deps.settings.maxContext);
      const opts = { kvBits: deps.settings.kvBits, maxContext };
      const plan = planModel(gpu, opened, opts);
      const model = await loadModel(gpu, opened, opts);
      const engine = new Engine(model, {
        continuousBatching: deps.settings.continuousBatching,
        prefixCache: deps.settings.prefixCache,
        maxContext,
        log: (m) => deps.log(`model ${spec.id}: ${m}`),
      });
      await engine.ready;
      progress('ready', stored.size, stored.size);
      return loadedModel(engine, model, plan.totalBytes);
    } catch (e) {
      const message = e instanceof ModelError && e.code === 'too-large'
        ? `this model is larger than this GPU allows: ${e.message}`
        : (e as Error)?.message ?? String(e);
      progress('failed', 0, 0, message);
      throw e instanceof ModelError && e.code === 'too-large' ? new Error(message) : e;
    }
  };
}

/** The stored file, or null (and its index entry dropped) when the browser evicted it. */
async function storedSource(store: ModelStore, m: StoredModel): Promise<ByteSource | null> {
  try {
    return await store.source(m);
  } catch (e) {
    if (!(e instanceof ModelIntegrityError)) throw e;
    await store.remove(m.id);
    return null;
  }
}

async function fetchIntoStore(
  spec: ModelSpec, gpu: GpuDevice, deps: LoaderDeps,
  progress: (phase: LoadPhase, done: number, total: number) => void,
): Promise<StoredModel> {
  const entry = deps.catalog(spec.id);
  if (!entry) throw new Error(`${spec.id}: its file is no longer in this browser's storage; pick it again`);
  const remote = await resolveRemote(entry, deps.fetch);
  await precheck(gpu, remote, deps.fetch, deps.settings);
  progress('download', 0, remote.size ?? 0);
  return deps.store.download(spec.id, remote, (done, total) => progress('download', done, total));
}
