// What the routes share: the model registry, limits, defaults, metrics, the clock and
// the log. Built once by createServerApp (app.ts).
import type { ModelRegistry } from '../engine/model-registry.ts';
import type { RateLimiter } from './rate-limit.ts';
import type { RequestRecord } from './request-record.ts';
import type { ServerMetrics } from './server-metrics.ts';

export interface ServerDeps {
  readonly registry: ModelRegistry;
  readonly metrics: ServerMetrics;
  readonly limiter: RateLimiter;
  readonly maxBodyBytes: number;
  /** max_tokens for requests that give none (--max-tokens); capped by what the context leaves. */
  readonly defaultMaxTokens: number;
  /** --request-timeout in ms; 0 = none. */
  readonly requestTimeoutMs: number;
  readonly now: () => number;
  /** Diagnostics. */
  readonly log: (line: string) => void;
}

/** Per request: who asked, what it did, and when the client went away. */
export interface RequestContext {
  readonly record: RequestRecord;
  readonly client: string;
  readonly signal: AbortSignal;
}
