// `basert serve`: settings (serve-config.ts) -> a model registry whose loader resolves
// --model sources and starts an Engine per model -> the Hono app (src/server) -> the
// runtime's listener (runtimes/*/serve.ts). Start-up models load after the port is open
// (/health says "loading" meanwhile). SIGUSR1 drains: stop accepting, finish what is in
// flight (up to --drain-timeout), exit 0. SIGINT/SIGTERM: abort, save prefix caches, exit 0.
import { Engine } from '../engine/engine.ts';
import { loadedModel, ModelRegistry, type LoadedModel, type ModelSpec, type RegistryEvent } from '../engine/model-registry.ts';
import { acquireDevice, NO_ADAPTER_HELP, NoAdapterError, type GpuDevice } from '../gpu/device.ts';
import type { FileHost } from '../loader/file-host.ts';
import { isHubId, parseHubId, type HubDeps } from '../loader/hub/index.ts';
import { openModelSource, resolveModelSource } from '../loader/model-source.ts';
import { loadModel, planModel } from '../model/index.ts';
import { ApiKeys, createServerApp, type ServerEnv } from '../server/index.ts';
import { UsageError } from './flags.ts';
import { parseConfigFile, parseServeFlags, resolveServeConfig, type ServeConfig, type ServeModelConfig } from './serve-config.ts';

export { SERVE_FLAGS, SERVE_HELP } from './serve-config.ts';

export interface Listener {
  readonly hostname: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Stops accepting connections; requests in progress go on. */
  stop(): void;
  /** Drops every connection. */
  close(): void;
}

export interface LogSink {
  write(line: string): void;
  close(): Promise<void>;
}

export type ServeSignal = 'SIGUSR1' | 'SIGINT' | 'SIGTERM';

/** What a runtime provides for `basert serve` (runtimes/node|bun|deno/serve.ts). */
export interface ServeHost {
  listen(fetch: (req: Request, env: ServerEnv) => Response | Promise<Response>, opts: { hostname: string; port: number }): Promise<Listener>;
  onSignal(signal: ServeSignal, handler: () => void): void;
  /** Appends lines to a file (--log-file). */
  openLog(path: string): Promise<LogSink>;
  /** Generates the demo model on first use; returns its directory. */
  demoModel(): Promise<string>;
}

export interface ServeIo {
  files: FileHost;
  gpu(): Promise<GPU | undefined>;
  hub?: () => Promise<HubDeps>;
  out(text: string): void;
  err(text: string): void;
  serve: ServeHost;
}

/** What clients call the demo model. */
export const DEMO_MODEL_ID = 'basert-demo';

async function readText(files: FileHost, path: string): Promise<string> {
  if ((await files.stat(path)) !== 'file') throw new UsageError(`${path}: no such file`);
  const f = await files.openFile(path);
  try {
    return new TextDecoder().decode(await f.read(0, f.size));
  } finally {
    await f.close();
  }
}

/** One key per line; blank lines and # comments skipped. */
export function parseKeyFile(text: string): string[] {
  return text.split(/\r?\n/).map((l) => l.replace(/#.*/, '').trim()).filter(Boolean);
}

/** A local model's id is its file or directory name without extension; a hub model's is its repo id. */
export async function modelIdFor(source: string, files: Pick<FileHost, 'stat'>): Promise<string> {
  const kind = await files.stat(source);
  if (!kind && isHubId(source)) return parseHubId(source).repo;
  const base = source.replace(/[\\/]+$/, '').split(/[\\/]/).pop() ?? source;
  return kind === 'dir' ? base : base.replace(/\.gguf$/i, '');
}

async function modelSpecs(models: ServeModelConfig[], files: FileHost): Promise<ModelSpec[]> {
  const specs: ModelSpec[] = [];
  for (const m of models) {
    const id = m.id ?? (await modelIdFor(m.source, files));
    if (specs.some((s) => s.id === id)) throw new UsageError(`two models would be called '${id}'; name one with --model name=source or in the config file`);
    specs.push({
      id, source: m.source, type: m.type,
      ...(m.contextLength !== undefined && { contextLength: m.contextLength }),
      ...(m.defaultTemperature !== undefined && { defaultTemperature: m.defaultTemperature }),
    });
  }
  return specs;
}

/** Loads a model and starts its engine; the registry's injected loader. */
function modelLoader(cfg: ServeConfig, gpu: GpuDevice, io: ServeIo, log: (l: string) => void) {
  return async (spec: ModelSpec): Promise<LoadedModel> => {
    const source = await resolveModelSource(spec.source, { files: io.files, hub: io.hub });
    const opened = await openModelSource(source, io.files);
    let model, plan, maxContext;
    try {
      const want = spec.contextLength ?? cfg.maxContext;
      const trained = planModel(gpu, opened, { kvBits: cfg.kvBits, maxContext: 16 }).config.maxPositionEmbeddings;
      maxContext = trained > 0 ? Math.min(want, trained) : want;
      const opts = { kvBits: cfg.kvBits, maxContext, numerics: cfg.numerics };
      plan = planModel(gpu, opened, opts);
      model = await loadModel(gpu, opened, opts);
    } finally {
      await opened.close();
    }
    const engine = new Engine(model, {
      maxBatchSize: cfg.maxBatchSize,
      continuousBatching: cfg.continuousBatching,
      prefixCache: cfg.prefixCache,
      maxContext,
      ...(cfg.prefixCacheFile !== undefined && {
        prefixCacheFile: { host: io.files, path: cfg.prefixCacheFile, modelId: spec.id, saveIntervalSec: cfg.prefixCacheSaveIntervalSec },
      }),
      log: (m) => log(`model ${spec.id}: ${m}`),
    });
    await engine.ready;
    return loadedModel(engine, model, plan.totalBytes);
  };
}

function describeEvent(e: RegistryEvent): string {
  switch (e.kind) {
    case 'loading': return `model ${e.id}: loading`;
    case 'loaded': return `model ${e.id}: loaded in ${(e.ms / 1000).toFixed(1)} s (${(e.memoryBytes / 2 ** 20).toFixed(1)} MiB on the device)`;
    case 'load-failed': return `model ${e.id}: failed to load: ${(e.error as Error)?.message ?? e.error}`;
    case 'unloaded': return `model ${e.id}: unloaded (${e.reason === 'idle' ? 'idle timeout' : e.reason})`;
  }
}

/** Runs the server until a signal stops it; resolves with the exit status. */
export async function runServe(argv: readonly string[], io: ServeIo): Promise<number> {
  const flags = parseServeFlags(argv);
  const file = flags.config !== undefined ? parseConfigFile(await readText(io.files, String(flags.config)), String(flags.config)) : undefined;
  const cfg = resolveServeConfig(flags, file);
  if (cfg.apiKeyFile) cfg.apiKeys.push(...parseKeyFile(await readText(io.files, cfg.apiKeyFile)));
  if (cfg.requireAuth && cfg.apiKeys.length === 0) throw new UsageError('config api.require_auth is true but no API key is given (api_key, --api-key or --api-key-file)');
  let apiKeys: ApiKeys;
  try {
    apiKeys = await ApiKeys.create(cfg.apiKeys);
  } catch (e) {
    throw new UsageError(`--api-key: ${(e as Error).message}`);
  }

  let gpu: GpuDevice;
  try {
    gpu = await acquireDevice(await io.gpu());
  } catch (e) {
    if (!(e instanceof NoAdapterError)) throw e;
    io.err(`basert serve: ${e.message}\n${NO_ADAPTER_HELP}`);
    return 1;
  }
  const sink = cfg.logFile !== undefined ? await io.serve.openLog(cfg.logFile) : null;
  const log = (line: string) => (sink ? sink.write(line) : io.err(line));

  const demo = cfg.models.length === 0;
  const models = demo ? [{ source: await io.serve.demoModel(), id: DEMO_MODEL_ID, type: 'chat' as const, preload: true }] : cfg.models;
  const specs = await modelSpecs(models, io.files);
  const registry = new ModelRegistry({ load: modelLoader(cfg, gpu, io, log), idleTimeoutMs: cfg.idleTimeoutSec * 1000, onEvent: (e) => log(describeEvent(e)) });
  for (const s of specs) registry.register(s);
  const app = createServerApp({
    registry, apiKeys,
    rateLimits: { requestsPerMinute: cfg.rateLimit, tokensPerMinute: cfg.rateLimitTokens },
    corsOrigins: cfg.corsOrigins,
    maxBodyBytes: cfg.maxBodyBytes,
    defaultMaxTokens: cfg.maxTokens,
    requestTimeoutMs: cfg.requestTimeoutMs,
    log,
  });
  const listener = await io.serve.listen(app.fetch, { hostname: cfg.host, port: cfg.port });
  const preload = specs.filter((_, i) => models[i].preload);
  const host = listener.hostname.includes(':') ? `[${listener.hostname}]` : listener.hostname;
  io.out([
    `basert serve: listening on http://${host}:${listener.port} (OpenAI base URL http://${host}:${listener.port}/v1)`,
    `  models: ${specs.map((s) => `${s.id} (${preload.includes(s) ? 'loading' : 'loads on first request'})`).join(', ')}`,
    ...(demo ? [
      `  demo: no --model given, so this serves '${DEMO_MODEL_ID}', a tiny random-weight model (real Qwen3 tokenizer and chat template,`,
      `        generated in ${models[0].source}); its replies are gibberish. For a real model: basert serve --model Qwen/Qwen3-0.6B-GGUF`,
    ] : []),
    `  auth: ${apiKeys.size ? `${apiKeys.size} API key${apiKeys.size > 1 ? 's' : ''}` : 'none (no --api-key)'}; SIGUSR1 drains, SIGINT/SIGTERM stop`,
  ].join('\n'));

  return new Promise<number>((resolve) => {
    let stopping: 'drain' | 'now' | null = null;
    const finish = async (code: number) => {
      listener.close();
      await registry.close().catch((e: Error) => log(`shutdown: ${e.message}`));
      gpu.destroy();
      log(`basert serve: stopped`);
      await sink?.close().catch(() => {});
      resolve(code);
    };
    const stopNow = (why: string, code = 0) => {
      if (stopping === 'now') return;
      stopping = 'now';
      log(`basert serve: ${why}; stopping now`);
      void finish(code);
    };
    const drain = async () => {
      if (stopping) return;
      stopping = 'drain';
      listener.stop();
      log(`basert serve: SIGUSR1; draining ${app.inFlight()} request(s) (up to ${cfg.drainTimeoutSec} s)`);
      const clean = await app.drain(cfg.drainTimeoutSec * 1000);
      if (stopping !== 'drain') return;
      log(clean ? 'basert serve: drained' : `basert serve: drain timeout; ${app.inFlight()} request(s) cut off`);
      stopping = 'now';
      await finish(0);
    };
    io.serve.onSignal('SIGUSR1', () => void drain());
    io.serve.onSignal('SIGINT', () => stopNow('SIGINT'));
    io.serve.onSignal('SIGTERM', () => stopNow('SIGTERM'));
    void (async () => {
      try {
        for (const s of preload) await registry.load(s.id);
      } catch (e) {
        io.err(`basert serve: ${(e as Error).message}`);
        return stopNow('a start-up model failed to load', 1);
      }
      app.ready();
      io.out(`basert serve: ready`);
    })();
  });
}
