// `basert serve` settings: one flag table (parses argv, prints --help) and a TOML file in
// the shape of seed 004 (`[api]` address, api_key, require_auth, max_requests_per_minute,
// max_tokens_per_minute, cors_enabled, cors_origins; `[api.models.<id>]` path, type,
// context_length, default_temperature). Any flag may also be written under [api] with
// underscores (max_context = 8192). Flags override the file; defaults fill the rest.
import { parse as parseToml } from 'smol-toml';
import type { ModelType } from '../engine/model-registry.ts';
import type { Numerics } from '../model/numerics.ts';
import { formatHelp, parseFlags, parseNumerics, UsageError, type FlagSpec, type FlagValues } from './flags.ts';

export const SERVE_FLAGS: FlagSpec[] = [
  { name: 'model', type: 'string', repeatable: true, metavar: 'path|org/name[:QUANT]', help: 'A .gguf file, an HF model directory or a hub id, loaded at start-up; its id is the file name without extension or the repo id (`id=source` names it). None: a demo model.' },
  { name: 'config', type: 'string', metavar: 'file.toml', help: 'TOML settings ([api] and [api.models.<id>], see docs/server.md); flags override it.' },
  { name: 'host', type: 'string', metavar: 'addr', default: '127.0.0.1', help: 'Bind address.' },
  { name: 'port', type: 'number', metavar: 'n', default: 8080, help: 'Bind port (0: any free port).' },
  { name: 'api-key', type: 'string', repeatable: true, metavar: 'key', help: 'Require "Authorization: Bearer <key>" or "x-api-key: <key>"; any of several keys.' },
  { name: 'api-key-file', type: 'string', metavar: 'file', help: 'More API keys, one per line (# comments).' },
  { name: 'max-context', type: 'number', metavar: 'n', default: 4096, help: 'Context window in tokens; sizes the KV cache up front. Longer requests are refused with context_length_exceeded.' },
  { name: 'max-tokens', type: 'number', metavar: 'n', default: 2048, help: 'max_tokens for requests that give none (within what the context leaves).' },
  { name: 'kv-bits', type: 'number', metavar: '16|8|4', default: 16, help: 'KV cache element width.' },
  { name: 'numerics', type: 'string', metavar: 'default|llamacpp|exact', default: 'default', help: 'How arithmetic rounds: default (GGUF: activations rounded to q8/f16 as llama.cpp does; f32 attention), llamacpp (also llama.cpp CPU\'s f16 attention, rounding for rounding: slower), exact (f32 activations and attention).' },
  { name: 'paged-kv', type: 'boolean', help: 'Paged KV cache with block tables (always on; accepted for compatibility).' },
  { name: 'max-batch-size', type: 'number', metavar: 'n', default: 1, help: 'Sequences decoded together without continuous batching.' },
  { name: 'continuous-batching', type: 'number', metavar: 'n', help: 'Decode concurrent requests through one shared forward pass with n in-flight lanes (given without n: 8).' },
  { name: 'prefix-cache', type: 'boolean', help: 'Share the KV of common prompt prefixes across requests.' },
  { name: 'prefix-cache-file', type: 'string', metavar: 'path', help: 'Persist the prefix cache per model (<path>.<model id>): loaded at start-up, saved at shutdown (implies --prefix-cache).' },
  { name: 'prefix-cache-save-interval', type: 'number', metavar: 'sec', default: 0, help: 'Also re-save the prefix cache this often (0: only at shutdown).' },
  { name: 'rate-limit', type: 'number', metavar: 'n', default: 0, help: 'Requests per minute per client (API key, else address); 0: unlimited.' },
  { name: 'rate-limit-tokens', type: 'number', metavar: 'n', default: 0, help: 'Prompt + generated tokens per minute per client; 0: unlimited.' },
  { name: 'cors-origin', type: 'string', repeatable: true, metavar: 'origin', help: 'Allow browser requests from this origin ("*": any), preflights included.' },
  { name: 'idle-timeout', type: 'number', metavar: 'sec', default: 0, help: 'Unload a model unused this long; it loads again on its next request (0: never).' },
  { name: 'request-timeout', type: 'number', metavar: 'ms', default: 0, help: 'Stop a generation running longer than this (0: never).' },
  { name: 'drain-timeout', type: 'number', metavar: 'sec', default: 60, help: 'On SIGUSR1, wait this long for requests in progress before exiting.' },
  { name: 'log-file', type: 'string', metavar: 'path', help: 'Append the access log (one line per request) and diagnostics to this file instead of stderr.' },
  { name: 'max-body-bytes', type: 'number', metavar: 'n', default: 8 * 2 ** 20, help: 'Refuse request bodies larger than this with 413.' },
];

export const SERVE_HELP = `${formatHelp(
  'basert serve [--model <model>]... [--config basert.toml] [--host addr] [--port n] [--api-key key]...',
  'Starts an OpenAI-compatible HTTP server (/v1/chat/completions, /v1/completions,\n' +
    '/v1/models, /v1/tokenize, /health, /metrics, ...). SIGUSR1 drains and exits;\n' +
    'SIGINT/SIGTERM exit at once (saving the prefix cache).',
  SERVE_FLAGS,
)}

Config file (--config), flags override it:
  [api]
  address = "127.0.0.1:8080"
  api_key = "sk-..."             # or a list of keys
  require_auth = true
  max_requests_per_minute = 60
  max_tokens_per_minute = 100000
  cors_enabled = true
  cors_origins = ["http://localhost:3000"]
  [api.models.my-chat-model]     # registered; loads on its first request
  path = "/models/chat-model.gguf"
  type = "chat"                  # chat | completion | embedding
  context_length = 4096
  default_temperature = 0.7`;

export interface ServeModelConfig {
  /** As given: a path or hub id. */
  source: string;
  /** Id clients use; absent: derived from the source (serve.ts). */
  id?: string;
  type: ModelType;
  contextLength?: number;
  defaultTemperature?: number;
  /** Load at start-up (flag models, or preload = true); else on first request. */
  preload: boolean;
}

export interface ServeConfig {
  host: string;
  port: number;
  apiKeys: string[];
  apiKeyFile?: string;
  /** Refuse to start without keys (config require_auth). */
  requireAuth: boolean;
  maxContext: number;
  maxTokens: number;
  kvBits: 16 | 8 | 4;
  numerics: Numerics;
  maxBatchSize: number;
  /** Lanes; 0 = off. */
  continuousBatching: number;
  prefixCache: boolean;
  prefixCacheFile?: string;
  prefixCacheSaveIntervalSec: number;
  rateLimit: number;
  rateLimitTokens: number;
  corsOrigins: string[];
  idleTimeoutSec: number;
  requestTimeoutMs: number;
  drainTimeoutSec: number;
  logFile?: string;
  maxBodyBytes: number;
  models: ServeModelConfig[];
}

export const DEFAULT_CONTINUOUS_LANES = 8;

/** `--continuous-batching` may come without its number. */
function withOptionalLanes(argv: readonly string[]): string[] {
  const out: string[] = [];
  argv.forEach((a, i) => {
    out.push(a);
    if (a === '--continuous-batching' && !/^\d+$/.test(argv[i + 1] ?? '')) out.push(String(DEFAULT_CONTINUOUS_LANES));
  });
  return out;
}

/** Flags as given (no defaults filled), so the config file can fill what they leave. */
export function parseServeFlags(argv: readonly string[]): FlagValues {
  const noDefaults = SERVE_FLAGS.map(({ default: _, ...s }) => s);
  const { values, positionals } = parseFlags(withOptionalLanes(argv), noDefaults);
  if (positionals.length) throw new UsageError(`serve takes no positional arguments (got "${positionals[0]}"); use --model`);
  return values;
}

const SEED_KEYS = new Set(['enabled', 'address', 'api_key', 'require_auth', 'max_requests_per_minute', 'max_tokens_per_minute', 'cors_enabled', 'cors_origins', 'models']);
const FLAG_KEYS = new Map(SERVE_FLAGS.filter((f) => f.name !== 'config' && f.name !== 'model').map((f) => [f.name.replace(/-/g, '_'), f]));
const MODEL_KEYS = new Set(['path', 'type', 'context_length', 'default_temperature', 'preload']);
const MODEL_TYPES: readonly ModelType[] = ['chat', 'completion', 'embedding'];

export class ConfigError extends UsageError {
  override name = 'ConfigError';
}

const fail = (where: string, why: string): never => {
  throw new ConfigError(`config ${where}: ${why}`);
};

function expect<T>(where: string, v: unknown, type: 'string' | 'number' | 'boolean'): T {
  if (typeof v !== type) fail(where, `expected a ${type}, got ${JSON.stringify(v)}`);
  return v as T;
}

const stringList = (where: string, v: unknown): string[] =>
  Array.isArray(v) ? v.map((x, i) => expect<string>(`${where}[${i}]`, x, 'string')) : [expect<string>(where, v, 'string')];

/** "127.0.0.1:8080", "[::1]:8080", "0.0.0.0:80" -> host, port. */
export function parseAddress(s: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:\s]+)):(\d{1,5})$/.exec(s.trim());
  const port = m ? Number(m[3]) : NaN;
  if (!m || port > 65535) throw new ConfigError(`config api.address: expected "host:port", got ${JSON.stringify(s)}`);
  return { host: m[1] ?? m[2], port };
}

export interface ParsedConfigFile {
  /** Values keyed by flag name, as parseFlags gives them. */
  values: FlagValues;
  models: ServeModelConfig[];
  requireAuth: boolean;
}

/** Reads the TOML text of a --config file. */
export function parseConfigFile(text: string, file = 'basert.toml'): ParsedConfigFile {
  let doc: Record<string, unknown>;
  try {
    doc = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    throw new ConfigError(`config ${file}: ${(e as Error).message.split('\n')[0]}`);
  }
  for (const k of Object.keys(doc)) if (k !== 'api') fail(k, 'unknown section (settings go under [api])');
  const api = (doc.api ?? {}) as Record<string, unknown>;
  if (typeof api !== 'object' || Array.isArray(api)) fail('api', 'expected a table');
  const values: FlagValues = {};
  for (const [k, v] of Object.entries(api)) {
    if (SEED_KEYS.has(k)) continue;
    const spec = FLAG_KEYS.get(k);
    if (!spec) fail(`api.${k}`, 'unknown setting');
    values[spec!.name] = spec!.repeatable ? stringList(`api.${k}`, v) : expect(`api.${k}`, v, spec!.type);
  }
  if (api.enabled !== undefined && !expect<boolean>('api.enabled', api.enabled, 'boolean')) fail('api.enabled', 'is false: the API is switched off in this file');
  if (api.address !== undefined) {
    const a = parseAddress(expect<string>('api.address', api.address, 'string'));
    values.host = a.host;
    values.port = a.port;
  }
  if (api.api_key !== undefined) values['api-key'] = stringList('api.api_key', api.api_key);
  if (api.max_requests_per_minute !== undefined) values['rate-limit'] = expect<number>('api.max_requests_per_minute', api.max_requests_per_minute, 'number');
  if (api.max_tokens_per_minute !== undefined) values['rate-limit-tokens'] = expect<number>('api.max_tokens_per_minute', api.max_tokens_per_minute, 'number');
  const corsOn = api.cors_enabled === undefined ? api.cors_origins !== undefined : expect<boolean>('api.cors_enabled', api.cors_enabled, 'boolean');
  if (corsOn) values['cors-origin'] = api.cors_origins === undefined ? ['*'] : stringList('api.cors_origins', api.cors_origins);
  const requireAuth = api.require_auth === undefined ? false : expect<boolean>('api.require_auth', api.require_auth, 'boolean');
  if (api.require_auth === false) delete values['api-key'];

  const models: ServeModelConfig[] = [];
  const table = (api.models ?? {}) as Record<string, unknown>;
  if (typeof table !== 'object' || Array.isArray(table)) fail('api.models', 'expected a table of [api.models.<id>] tables');
  for (const [id, raw] of Object.entries(table)) {
    const where = `api.models.${id}`;
    if (!raw || typeof raw !== 'object' || Array.isArray(raw)) fail(where, 'expected a table');
    const m = raw as Record<string, unknown>;
    for (const k of Object.keys(m)) if (!MODEL_KEYS.has(k)) fail(`${where}.${k}`, 'unknown setting');
    if (m.path === undefined) fail(`${where}.path`, 'missing (a model file, directory or hub id)');
    const type = m.type === undefined ? 'chat' : expect<string>(`${where}.type`, m.type, 'string');
    if (!MODEL_TYPES.includes(type as ModelType)) fail(`${where}.type`, `expected one of ${MODEL_TYPES.join(', ')}, got "${type}"`);
    const model: ServeModelConfig = { source: expect<string>(`${where}.path`, m.path, 'string'), id, type: type as ModelType, preload: false };
    if (m.context_length !== undefined) model.contextLength = positiveInt(`${where}.context_length`, expect<number>(`${where}.context_length`, m.context_length, 'number'));
    if (m.default_temperature !== undefined) {
      const t = expect<number>(`${where}.default_temperature`, m.default_temperature, 'number');
      if (!(t >= 0 && t <= 2)) fail(`${where}.default_temperature`, `must be in [0, 2], got ${t}`);
      model.defaultTemperature = t;
    }
    if (m.preload !== undefined) model.preload = expect<boolean>(`${where}.preload`, m.preload, 'boolean');
    models.push(model);
  }
  return { values, models, requireAuth };
}

function positiveInt(where: string, v: number): number {
  if (!(Number.isInteger(v) && v >= 1)) throw new UsageError(`${where} must be a positive integer, got ${v}`);
  return v;
}

function nonNegative(where: string, v: number, integer = true): number {
  if (!(v >= 0 && (!integer || Number.isInteger(v)))) throw new UsageError(`${where} must be a non-negative ${integer ? 'integer' : 'number'}, got ${v}`);
  return v;
}

/** "dir=path" names a model; anything else is just a source. */
function flagModel(arg: string): ServeModelConfig {
  const eq = arg.indexOf('=');
  const named = eq > 0 && /^[\w.\-/]+$/.test(arg.slice(0, eq));
  return { source: named ? arg.slice(eq + 1) : arg, ...(named && { id: arg.slice(0, eq) }), type: 'chat', preload: true };
}

/** Flags over the file over the defaults. */
export function resolveServeConfig(flags: FlagValues, file?: ParsedConfigFile): ServeConfig {
  const defaults = Object.fromEntries(SERVE_FLAGS.filter((s) => s.default !== undefined).map((s) => [s.name, s.default]));
  const v: FlagValues = { ...defaults, ...file?.values, ...flags };
  const num = (k: string) => v[k] as number;
  const list = (k: string) => ((v[k] ?? []) as (string | number)[]).map(String);
  const kvBits = num('kv-bits');
  if (kvBits !== 16 && kvBits !== 8 && kvBits !== 4) throw new UsageError(`--kv-bits must be 16, 8 or 4, got ${kvBits}`);
  const port = num('port');
  if (!(Number.isInteger(port) && port >= 0 && port <= 65535)) throw new UsageError(`--port must be in 0..65535, got ${port}`);
  const prefixCacheFile = v['prefix-cache-file'] as string | undefined;
  const models = [...list('model').map(flagModel), ...(file?.models ?? [])];
  const cfg: ServeConfig = {
    host: String(v.host),
    port,
    apiKeys: list('api-key'),
    ...(v['api-key-file'] !== undefined && { apiKeyFile: String(v['api-key-file']) }),
    requireAuth: file?.requireAuth ?? false,
    maxContext: positiveInt('--max-context', num('max-context')),
    maxTokens: positiveInt('--max-tokens', num('max-tokens')),
    kvBits,
    numerics: parseNumerics(v.numerics),
    maxBatchSize: positiveInt('--max-batch-size', num('max-batch-size')),
    continuousBatching: nonNegative('--continuous-batching', (v['continuous-batching'] as number | undefined) ?? 0),
    prefixCache: Boolean(v['prefix-cache']) || prefixCacheFile !== undefined,
    ...(prefixCacheFile !== undefined && { prefixCacheFile }),
    prefixCacheSaveIntervalSec: nonNegative('--prefix-cache-save-interval', num('prefix-cache-save-interval'), false),
    rateLimit: nonNegative('--rate-limit', num('rate-limit'), false),
    rateLimitTokens: nonNegative('--rate-limit-tokens', num('rate-limit-tokens'), false),
    corsOrigins: list('cors-origin'),
    idleTimeoutSec: nonNegative('--idle-timeout', num('idle-timeout'), false),
    requestTimeoutMs: nonNegative('--request-timeout', num('request-timeout'), false),
    drainTimeoutSec: nonNegative('--drain-timeout', num('drain-timeout'), false),
    ...(v['log-file'] !== undefined && { logFile: String(v['log-file']) }),
    maxBodyBytes: positiveInt('--max-body-bytes', num('max-body-bytes')),
    models,
  };
  return cfg;
}
