// The engine host of a tab: one GPU device, the model registry with the browser loader,
// and the same Hono app `basert serve` runs (src/server). It lives in the service worker
// when the browser exposes WebGPU there (Chromium does), else in a dedicated worker that
// a page starts (holder.ts), with the service worker relaying /v1 to it (relay.ts).
//
// A lost device (driver reset, the browser reclaiming the GPU, device.destroy()) fails the
// requests in flight with 503 device_lost (the engine stops with DeviceLostError and
// src/server answers 503); the host then takes a new
// device and reloads the models that were loaded, and keeps serving.
import { ModelRegistry, type RegistryEvent } from '../../src/engine/model-registry.ts';
import { acquireDevice, NoAdapterError, type GpuDevice, type OptionalFeature } from '../../src/gpu/device.ts';
import { createServerApp, type ServerApp } from '../../src/server/index.ts';
import type { AdapterReport, HostEvent } from './events.ts';
import { browserGpuMissingReason } from './gpu.ts';
import { fetchCatalog, type CatalogEntry } from './model-catalog.ts';
import { browserModelLoader, type EngineSettings } from './model-loader.ts';
import { ModelStore } from './model-store.ts';

export type HostPlace = 'service-worker' | 'worker';

export interface HostOptions {
  place: HostPlace;
  /** The origin models are stored under (the service worker's or page's). */
  origin: string;
  /** null: no manifest; models come from files picked from disk only. */
  manifestUrl: string | null;
  gpu(): GPU | undefined;
  /** Features to leave off even when the adapter has them (tests, diagnosing a driver). */
  disable?: OptionalFeature[];
  settings?: Partial<EngineSettings>;
  emit?(e: HostEvent): void;
  log?(line: string): void;
  fetch?: typeof fetch;
}

export interface HostInfo {
  place: HostPlace;
  adapter: AdapterReport | null;
  /** Why there is no device; null when there is one. */
  gpuError: string | null;
  /** Things a user should know about this device (no shader-f16, a software adapter). */
  notes: string[];
  settings: EngineSettings;
}

/** A tab's defaults: a short context keeps the KV cache small next to the page's own GPU use. */
export const BROWSER_SETTINGS: EngineSettings = { maxContext: 2048, kvBits: 16, continuousBatching: 4, prefixCache: true };

export function adapterNotes(gpu: GpuDevice): string[] {
  const notes: string[] = [];
  if (!gpu.features.f16) notes.push('This adapter has no shader-f16: f16 and bf16 weights are widened to f32 inside the shaders (the f32 paths run; same results, more bandwidth).');
  if (gpu.adapter.isFallback) notes.push(`This is a software adapter (${gpu.adapter.architecture || gpu.adapter.description || 'CPU'}): expect a few tokens per second at most.`);
  return notes;
}

export function adapterReport(gpu: GpuDevice): AdapterReport {
  return {
    ...gpu.adapter,
    features: { ...gpu.features },
    maxBufferSize: gpu.limits.maxBufferSize,
    maxStorageBufferBindingSize: gpu.limits.maxStorageBufferBindingSize,
  };
}

export class BrowserHost {
  readonly app: ServerApp;
  readonly registry: ModelRegistry;
  readonly store: ModelStore;
  readonly settings: EngineSettings;
  /** Settles once the manifest and the stored models are registered. */
  readonly ready: Promise<void>;
  private readonly catalog = new Map<string, CatalogEntry>();
  private device: Promise<GpuDevice> | null = null;
  private current: GpuDevice | null = null;
  private gpuError: string | null = null;
  private readonly emit: (e: HostEvent) => void;
  private readonly log: (line: string) => void;

  constructor(private readonly opts: HostOptions) {
    this.emit = opts.emit ?? (() => {});
    this.log = opts.log ?? ((l) => console.log(`[basert] ${l}`));
    this.settings = { ...BROWSER_SETTINGS, ...opts.settings };
    const fetchFn = opts.fetch ?? globalThis.fetch.bind(globalThis);
    this.store = new ModelStore(opts.origin, globalThis.caches, fetchFn);
    this.registry = new ModelRegistry({
      load: browserModelLoader({
        device: () => this.acquire(),
        store: this.store,
        catalog: (id) => this.catalog.get(id),
        fetch: fetchFn,
        emit: this.emit,
        settings: this.settings,
        log: this.log,
      }),
      onEvent: (e) => this.log(describe(e)),
    });
    this.app = createServerApp({ registry: this.registry, log: this.log, accessLog: () => {} });
    this.ready = this.init(fetchFn);
  }

  private async init(fetchFn: typeof fetch): Promise<void> {
    try {
      const entries = this.opts.manifestUrl ? await fetchCatalog(this.opts.manifestUrl, fetchFn) : [];
      for (const e of entries) {
        if (this.registry.has(e.id)) continue;
        this.catalog.set(e.id, e);
        this.registry.register({ id: e.id, source: e.hub ?? e.url!, type: e.type ?? 'chat', ...(e.contextLength !== undefined && { contextLength: e.contextLength }) });
      }
    } catch (e) {
      this.log(`model manifest ${this.opts.manifestUrl}: ${(e as Error).message}`);
    }
    for (const m of await this.store.list().catch(() => [])) {
      if (!this.registry.has(m.id)) this.registry.register({ id: m.id, source: m.source, type: 'chat' });
    }
    this.app.ready();
  }

  /** The app's answer; waits for start-up registration (a restarted worker re-reads the store). */
  async fetch(req: Request): Promise<Response> {
    await this.ready;
    return this.app.fetch(req, { remoteAddr: 'tab' });
  }

  /** The device, acquired on first use; a failed attempt is retried by the next caller. */
  acquire(): Promise<GpuDevice> {
    this.device ??= this.open().catch((e: unknown) => {
      this.device = null;
      throw e;
    });
    return this.device;
  }

  private async open(): Promise<GpuDevice> {
    const gpu = this.opts.gpu();
    if (!gpu) {
      this.gpuError = `WebGPU is not available here: ${browserGpuMissingReason() || 'navigator.gpu is missing'}`;
      this.emit({ type: 'device', state: 'unavailable', message: this.gpuError });
      throw new Error(this.gpuError);
    }
    let dev: GpuDevice;
    try {
      dev = await acquireDevice(gpu, { disable: this.opts.disable });
    } catch (e) {
      this.gpuError = e instanceof NoAdapterError
        ? 'WebGPU is enabled but no adapter is available (the GPU may be blocklisted: see chrome://gpu, or start Chromium with --enable-unsafe-webgpu)'
        : `requesting a WebGPU device failed: ${(e as Error).message}`;
      this.emit({ type: 'device', state: 'unavailable', message: this.gpuError });
      throw new Error(this.gpuError);
    }
    this.gpuError = null;
    this.current = dev;
    void dev.lost.then((info) => this.recover(dev, info));
    this.emit({ type: 'device', state: 'ready', adapter: adapterReport(dev), notes: adapterNotes(dev) });
    return dev;
  }

  /** Takes a new device and reloads what was loaded; requests meanwhile wait in the registry. */
  private async recover(lost: GpuDevice, info: GPUDeviceLostInfo): Promise<void> {
    if (this.current !== lost) return;
    this.current = null;
    this.device = null;
    const models = this.registry.list().filter((m) => m.status !== 'registered').map((m) => m.id);
    const message = `GPU device lost (${info.reason ?? 'unknown'}): ${info.message || 'no details'}`;
    this.log(`${message}; reloading ${models.join(', ') || 'nothing'}`);
    this.emit({ type: 'device', state: 'lost', message, models });
    for (const id of models) await this.registry.unload(id).catch((e: Error) => this.log(`unload ${id}: ${e.message}`));
    try {
      for (const id of models) await this.registry.load(id);
      this.emit({ type: 'device', state: 'restored', models });
    } catch (e) {
      this.emit({ type: 'device', state: 'reload-failed', message: (e as Error).message });
    }
  }

  async info(): Promise<HostInfo> {
    const dev = await this.acquire().catch(() => null);
    return {
      place: this.opts.place,
      adapter: dev ? adapterReport(dev) : null,
      gpuError: dev ? null : this.gpuError,
      notes: dev ? adapterNotes(dev) : [],
      settings: this.settings,
    };
  }

  /** Stores a file picked from disk and registers it (id: its name without .gguf). */
  async addFile(file: Blob, name: string): Promise<{ id: string; size: number; sha256: string }> {
    await this.ready;
    const id = name.replace(/\.gguf$/i, '') || 'model';
    if (this.registry.has(id)) await this.registry.unload(id); // a new file under an old name
    const stored = await this.store.putFile(id, file, name, (done, total) =>
      this.emit({ type: 'progress', model: id, phase: 'copy', bytesDone: done, bytesTotal: total }));
    this.catalog.delete(id);
    if (!this.registry.has(id)) this.registry.register({ id, source: stored.source, type: 'chat' });
    return { id, size: stored.size, sha256: stored.sha256 };
  }

  /** Destroys the device as a driver reset would (diagnostics and tests of the recovery). */
  loseDevice(): boolean {
    if (!this.current) return false;
    this.current.device.destroy();
    return true;
  }
}

function describe(e: RegistryEvent): string {
  switch (e.kind) {
    case 'loading': return `model ${e.id}: loading`;
    case 'loaded': return `model ${e.id}: loaded in ${(e.ms / 1000).toFixed(1)} s (${(e.memoryBytes / 2 ** 20).toFixed(1)} MiB on the device)`;
    case 'load-failed': return `model ${e.id}: failed to load: ${(e.error as Error)?.message ?? e.error}`;
    case 'unloaded': return `model ${e.id}: unloaded (${e.reason})`;
  }
}
