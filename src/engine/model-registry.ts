// The models a server offers: each registered under the id clients put in `model`, loaded
// at start-up, on request (POST /v1/models/load) or on its first use, unloaded on request
// or after --idle-timeout without use. Loading is injected (`load(spec)`: resolve the
// source, load the weights, start an engine), so this file stays runtime-agnostic and
// testable without a GPU. Requests hold a lease while they run; an idle unload never
// takes a model with leases out, an explicit unload does (its engine aborts them).
import type { Model } from '../model/index.ts';
import type { EngineRequest, EngineStats, RequestHandle } from './types.ts';

export type ModelType = 'chat' | 'completion' | 'embedding';
export type ModelStatus = 'registered' | 'loading' | 'loaded';

export interface ModelSpec {
  /** What clients put in `model`. */
  readonly id: string;
  /** A model file, a model directory or a hub id. */
  readonly source: string;
  readonly type: ModelType;
  /** Tokens one request may use (prompt + output); absent = the server's --max-context. */
  readonly contextLength?: number;
  /** Temperature for requests that give none; absent = 1 (OpenAI's default). */
  readonly defaultTemperature?: number;
}

/** What the server needs of an engine (src/engine/engine.ts's Engine has it). */
export interface ServingEngine {
  readonly model: Model;
  readonly maxContext: number;
  add(req: EngineRequest): RequestHandle;
  stats(): EngineStats;
  close(): Promise<void>;
}

export interface LoadedModel {
  readonly engine: ServingEngine;
  /** Device bytes it holds: weights + KV cache. */
  readonly memoryBytes: number;
  /** Stops the engine and frees the model. */
  close(): Promise<void>;
}

/** `engine` running `model` as the registry holds it; close() stops the engine, then frees the model. */
export function loadedModel(engine: ServingEngine, model: Pick<Model, 'destroy'>, memoryBytes: number): LoadedModel {
  return {
    engine,
    memoryBytes,
    close: async () => {
      try {
        await engine.close();
      } finally {
        model.destroy();
      }
    },
  };
}

export interface ModelInfo {
  readonly id: string;
  readonly source: string;
  readonly type: ModelType;
  readonly status: ModelStatus;
  /** Unix seconds when it was registered. */
  readonly created: number;
  /** Seconds since its current load finished; null unless loaded. */
  readonly uptimeSec: number | null;
  readonly memoryBytes: number | null;
  /** Requests holding it now. */
  readonly activeRequests: number;
  /** Why its last load failed, if it did. */
  readonly lastError: string | null;
}

export interface ModelLease {
  readonly spec: ModelSpec;
  readonly loaded: LoadedModel;
  /** Call once the request is finished. */
  release(): void;
}

export type RegistryEvent =
  | { kind: 'loading'; id: string }
  | { kind: 'loaded'; id: string; ms: number; memoryBytes: number }
  | { kind: 'load-failed'; id: string; error: unknown }
  | { kind: 'unloaded'; id: string; reason: 'request' | 'idle' | 'shutdown' };

export interface ModelRegistryOptions {
  load(spec: ModelSpec): Promise<LoadedModel>;
  /** Unload a model unused this long (ms); 0/absent: never. */
  idleTimeoutMs?: number;
  /** Milliseconds clock (default Date.now). */
  now?: () => number;
  onEvent?: (e: RegistryEvent) => void;
}

export class UnknownModelError extends Error {
  override name = 'UnknownModelError';
  constructor(readonly id: string) {
    super(`no model '${id}' is registered`);
  }
}

export class RegistryClosedError extends Error {
  override name = 'RegistryClosedError';
  constructor() {
    super('the model registry is shut down');
  }
}

type State =
  | { kind: 'registered' }
  | { kind: 'loading'; done: Promise<LoadedModel> }
  | { kind: 'loaded'; loaded: LoadedModel; since: number }
  | { kind: 'unloading'; done: Promise<void> };

interface Entry {
  readonly spec: ModelSpec;
  readonly created: number;
  state: State;
  leases: number;
  idleTimer?: ReturnType<typeof setTimeout>;
  lastError: string | null;
}

export class ModelRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly now: () => number;
  private closed = false;

  constructor(private readonly opts: ModelRegistryOptions) {
    this.now = opts.now ?? Date.now;
  }

  register(spec: ModelSpec): void {
    if (this.entries.has(spec.id)) throw new Error(`a model with id '${spec.id}' is already registered`);
    this.entries.set(spec.id, { spec, created: Math.floor(this.now() / 1000), state: { kind: 'registered' }, leases: 0, lastError: null });
  }

  has(id: string): boolean {
    return this.entries.has(id);
  }

  spec(id: string): ModelSpec | undefined {
    return this.entries.get(id)?.spec;
  }

  /** The loaded model now, without loading it. */
  peek(id: string): LoadedModel | undefined {
    const s = this.entries.get(id)?.state;
    return s?.kind === 'loaded' ? s.loaded : undefined;
  }

  list(): ModelInfo[] {
    return [...this.entries.values()].map((e) => {
      const s = e.state;
      const status: ModelStatus = s.kind === 'loaded' ? 'loaded' : s.kind === 'loading' ? 'loading' : 'registered';
      return {
        id: e.spec.id, source: e.spec.source, type: e.spec.type, status, created: e.created,
        uptimeSec: s.kind === 'loaded' ? (this.now() - s.since) / 1000 : null,
        memoryBytes: s.kind === 'loaded' ? s.loaded.memoryBytes : null,
        activeRequests: e.leases, lastError: e.lastError,
      };
    });
  }

  /** The model for a request, loading it first if needed; hold the lease until the request ends. */
  async acquire(id: string): Promise<ModelLease> {
    const e = this.entry(id);
    e.leases++;
    this.clearIdle(e);
    let released = false;
    try {
      const loaded = await this.ensureLoaded(e);
      return {
        spec: e.spec, loaded,
        release: () => {
          if (released) return;
          released = true;
          e.leases--;
          this.armIdle(e);
        },
      };
    } catch (err) {
      e.leases--;
      this.armIdle(e);
      throw err;
    }
  }

  /** Loads the model (no-op when loaded; joins a load under way). */
  async load(id: string): Promise<LoadedModel> {
    const e = this.entry(id);
    const loaded = await this.ensureLoaded(e);
    this.armIdle(e);
    return loaded;
  }

  /** Unloads the model, aborting its requests; false when it was not loaded. */
  async unload(id: string, reason: 'request' | 'idle' | 'shutdown' = 'request'): Promise<boolean> {
    const e = this.entry(id);
    for (;;) {
      const s = e.state;
      if (s.kind === 'registered') return false;
      if (s.kind === 'unloading') {
        await s.done;
        return false;
      }
      if (s.kind === 'loading') {
        await s.done.catch(() => {});
        continue;
      }
      this.clearIdle(e);
      const done = s.loaded.close().finally(() => {
        e.state = { kind: 'registered' };
        this.opts.onEvent?.({ kind: 'unloaded', id, reason });
      });
      e.state = { kind: 'unloading', done };
      await done;
      return true;
    }
  }

  /** Unloads everything and refuses later loads. */
  async close(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.entries.keys()].map((id) => this.unload(id, 'shutdown').catch(() => false)));
  }

  /** Device bytes of all loaded models. */
  memoryBytes(): number {
    let n = 0;
    for (const e of this.entries.values()) if (e.state.kind === 'loaded') n += e.state.loaded.memoryBytes;
    return n;
  }

  private entry(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw new UnknownModelError(id);
    return e;
  }

  private async ensureLoaded(e: Entry): Promise<LoadedModel> {
    for (;;) {
      if (this.closed) throw new RegistryClosedError();
      const s = e.state;
      if (s.kind === 'loaded') return s.loaded;
      if (s.kind === 'loading') return s.done;
      if (s.kind === 'unloading') {
        await s.done;
        continue;
      }
      const started = this.now();
      this.opts.onEvent?.({ kind: 'loading', id: e.spec.id });
      const done = this.opts.load(e.spec).then(
        (loaded) => {
          e.state = { kind: 'loaded', loaded, since: this.now() };
          e.lastError = null;
          this.opts.onEvent?.({ kind: 'loaded', id: e.spec.id, ms: this.now() - started, memoryBytes: loaded.memoryBytes });
          return loaded;
        },
        (error: unknown) => {
          e.state = { kind: 'registered' };
          e.lastError = error instanceof Error ? error.message : String(error);
          this.opts.onEvent?.({ kind: 'load-failed', id: e.spec.id, error });
          throw error;
        },
      );
      e.state = { kind: 'loading', done };
      const loaded = await done;
      if (this.closed) {
        // Shut down while loading: close() saw 'loading' and waits on this unload.
        await this.unload(e.spec.id, 'shutdown');
        throw new RegistryClosedError();
      }
      return loaded;
    }
  }

  private clearIdle(e: Entry): void {
    if (e.idleTimer !== undefined) clearTimeout(e.idleTimer);
    e.idleTimer = undefined;
  }

  private armIdle(e: Entry): void {
    const ms = this.opts.idleTimeoutMs ?? 0;
    if (!(ms > 0) || e.leases > 0 || e.state.kind !== 'loaded' || this.closed) return;
    this.clearIdle(e);
    e.idleTimer = setTimeout(() => {
      e.idleTimer = undefined;
      if (e.leases === 0 && e.state.kind === 'loaded') void this.unload(e.spec.id, 'idle').catch(() => {});
    }, ms);
    // Node/Bun: an idle timer alone must not keep the process alive.
    (e.idleTimer as { unref?: () => void }).unref?.();
  }
}
