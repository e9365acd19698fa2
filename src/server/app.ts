// The OpenAI-compatible server as one Hono app: Request -> Response, nothing runtime
// specific (runtimes/*/serve.ts listen and pass the client's address in `env`).
// Middleware, outermost first: request record + access log + in-flight count; CORS (so
// preflights need no key); 503 while draining; API keys; per-client rate limits; routes.
// Every error leaves as OpenAI's error body (errors.ts).
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import type { ModelRegistry } from '../engine/model-registry.ts';
import { checkAuth, presentedKey, type ApiKeys } from './auth.ts';
import { DEFAULT_MAX_BODY_BYTES } from './body.ts';
import type { RequestContext, ServerDeps } from './deps.ts';
import { ApiError, deviceLostError, serverError, unavailable } from './errors.ts';
import { RateLimiter, type RateLimits } from './rate-limit.ts';
import { accessLogLine, RequestRecord } from './request-record.ts';
import { chatCompletions } from './routes/chat.ts';
import { completions } from './routes/completions.ts';
import { embeddings } from './routes/embeddings.ts';
import { getModel, listModels, loadModelRoute, modelStatus, unloadModelRoute } from './routes/models.ts';
import { detokenize, tokenize } from './routes/tokenize.ts';
import { ServerMetrics } from './server-metrics.ts';
import { sseEnded } from './sse.ts';

export interface ServerAppOptions {
  registry: ModelRegistry;
  /** Absent or empty: no authentication. */
  apiKeys?: ApiKeys | null;
  rateLimits?: RateLimits;
  /** Allowed origins ('*' for any); absent: no CORS headers. */
  corsOrigins?: readonly string[] | null;
  maxBodyBytes?: number;
  defaultMaxTokens?: number;
  requestTimeoutMs?: number;
  now?: () => number;
  /** Diagnostics. */
  log?: (line: string) => void;
  /** One line per request (default: log). */
  accessLog?: (line: string) => void;
}

/** What a runtime adapter passes along with each request. */
export interface ServerEnv {
  /** The client's IP address (rate limits, access log). */
  remoteAddr?: string;
}

export type ServerState = 'starting' | 'ready' | 'draining';

export interface ServerApp {
  fetch(req: Request, env?: ServerEnv): Response | Promise<Response>;
  readonly deps: ServerDeps;
  readonly state: ServerState;
  /** Start-up models are loaded: /health answers ok. */
  ready(): void;
  /** Requests in progress (streams until their last byte). */
  inFlight(): number;
  /** Refuses new requests (503) and resolves true once none are in flight, false after timeoutMs. */
  drain(timeoutMs: number): Promise<boolean>;
}

type AppEnv = { Bindings: ServerEnv; Variables: { ctx: RequestContext } };

/** /health must answer without a key (probes) and while draining. */
const PUBLIC_PATHS = new Set(['/health']);
/** Not rate-limited: probes and scrapers. */
const UNLIMITED_PATHS = new Set(['/health', '/metrics', '/v1/metrics']);

export function createServerApp(opts: ServerAppOptions): ServerApp {
  const now = opts.now ?? Date.now;
  const log = opts.log ?? (() => {});
  const accessLog = opts.accessLog ?? log;
  const limiter = new RateLimiter(opts.rateLimits ?? { requestsPerMinute: 0, tokensPerMinute: 0 }, now);
  const deps: ServerDeps = {
    registry: opts.registry,
    metrics: new ServerMetrics(opts.registry),
    limiter,
    maxBodyBytes: opts.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    defaultMaxTokens: opts.defaultMaxTokens ?? 2048,
    requestTimeoutMs: opts.requestTimeoutMs ?? 0,
    now,
    log,
  };
  const keys = opts.apiKeys && opts.apiKeys.size > 0 ? opts.apiKeys : null;
  let state: ServerState = 'starting';
  let inFlight = 0;
  const idle: (() => void)[] = [];
  const settle = () => {
    if (--inFlight === 0) for (const f of idle.splice(0)) f();
  };

  const app = new Hono<AppEnv>();

  app.use(async (c, next) => {
    const url = new URL(c.req.url);
    const client = (keys ? presentedKey(c.req.raw.headers) : null) ?? c.env?.remoteAddr ?? 'unknown';
    const record = new RequestRecord(c.req.method, url.pathname, c.env?.remoteAddr ?? '-', now());
    c.set('ctx', { record, client, signal: c.req.raw.signal });
    inFlight++;
    try {
      await next();
    } finally {
      const status = c.res.status;
      // A streamed body ends later: count and log the request then.
      void record.finished().then(() => {
        settle();
        deps.metrics.request(routeLabel(url.pathname), status);
        accessLog(accessLogLine(record, status, now()));
      });
    }
  });

  if (opts.corsOrigins?.length) {
    const origins = [...opts.corsOrigins];
    // Preflights get back the headers they ask for: the openai SDK sends a dozen x-stainless-*
    // headers, and keys, not cookies, are what authorize a request.
    app.use(cors({
      origin: origins.includes('*') ? '*' : origins,
      allowMethods: ['GET', 'POST', 'OPTIONS'],
      exposeHeaders: ['Retry-After'],
      maxAge: 600,
    }));
  }

  app.use(async (c, next) => {
    if (state === 'draining' && !PUBLIC_PATHS.has(c.req.path)) throw unavailable('The server is draining: it finishes the requests in progress and accepts no new ones.', 'server_draining');
    if (keys && !PUBLIC_PATHS.has(c.req.path)) await checkAuth(keys, c.req.raw.headers);
    if (limiter.enabled && !UNLIMITED_PATHS.has(c.req.path)) limiter.admit(c.get('ctx').client);
    await next();
  });

  /** A route handler: runs with the request context; the response records stream ends. */
  const route = (f: (req: Request, deps: ServerDeps, ctx: RequestContext) => Promise<Response> | Response) => async (c: Context<AppEnv>) => {
    const ctx = c.get('ctx');
    const res = await f(c.req.raw, deps, ctx);
    const ended = sseEnded(res);
    if (ended) ctx.record.until(ended);
    return res;
  };

  app.get('/health', (c) => {
    if (state === 'ready') return c.json({ status: 'ok' });
    return c.json({ status: state === 'starting' ? 'loading' : 'draining' }, 503);
  });
  app.get('/metrics', (c) => c.text(deps.metrics.registry.prometheus(), 200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' }));
  app.get('/v1/metrics', (c) => c.json(deps.metrics.registry.json()));
  app.get('/v1/models', route(() => listModels(deps)));
  app.get('/v1/models/status', route(() => modelStatus(deps)));
  app.get('/v1/models/:id{.+}', (c) => getModel(deps, c.req.param('id')));
  app.post('/v1/models/load', route(loadModelRoute));
  app.post('/v1/models/unload', route(unloadModelRoute));
  app.post('/v1/chat/completions', route(chatCompletions));
  app.post('/v1/completions', route(completions));
  app.post('/v1/embeddings', route(embeddings));
  for (const prefix of ['/v1', '']) {
    app.post(`${prefix}/tokenize`, route(tokenize));
    app.post(`${prefix}/detokenize`, route(detokenize));
  }

  app.notFound((c) => new ApiError(404, 'invalid_request_error', `Unknown request URL: ${c.req.method} ${c.req.path}.`, null, 'unknown_url').toResponse());
  app.onError((e) => {
    if (e instanceof ApiError) return e.toResponse();
    const lost = deviceLostError(e);
    if (lost) return (log(e.message), lost.toResponse());
    log(`internal error: ${e.stack ?? e.message}`);
    return serverError(`internal error: ${e.message}`).toResponse();
  });

  return {
    fetch: (req, env) => app.fetch(req, env ?? {}),
    deps,
    get state() {
      return state;
    },
    ready: () => {
      if (state === 'starting') state = 'ready';
    },
    inFlight: () => inFlight,
    drain(timeoutMs) {
      state = 'draining';
      if (inFlight === 0) return Promise.resolve(true);
      return new Promise<boolean>((resolve) => {
        const t = setTimeout(() => resolve(false), timeoutMs);
        idle.push(() => {
          clearTimeout(t);
          resolve(true);
        });
      });
    },
  };
}

const ROUTES = new Set([
  '/health', '/metrics', '/v1/metrics', '/v1/models', '/v1/models/status', '/v1/models/load', '/v1/models/unload',
  '/v1/chat/completions', '/v1/completions', '/v1/embeddings', '/v1/tokenize', '/v1/detokenize', '/tokenize', '/detokenize',
]);

/** Metric label for a path: the route it matched, so unknown URLs cannot multiply series. */
function routeLabel(path: string): string {
  if (ROUTES.has(path)) return path;
  return path.startsWith('/v1/models/') ? '/v1/models/{id}' : 'other';
}

