// Requests to the hub: the token, a watchdog so a silent server never hangs us, and one
// place that turns HTTP statuses into errors that say what to do.
import { HubError } from './errors.ts';
import type { HubDeps } from './types.ts';

export const DEFAULT_IDLE_TIMEOUT_MS = 30_000;

/** What a request is about, for error messages. */
export interface HubTarget {
  repo: string;
  revision: string;
  file?: string;
}

/** Aborts its signal when `touch()` has not been called for `ms`. */
export class IdleWatchdog {
  readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  fired = false;

  constructor(private readonly ms: number) {
    this.touch();
  }

  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.fired = true;
      this.controller.abort();
    }, this.ms);
  }

  stop(): void {
    clearTimeout(this.timer);
  }
}

export const idleSeconds = (deps: HubDeps) => (deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS) / 1000;

/**
 * The innermost reason a request failed: fetch wraps it ("fetch failed" → "connect
 * ECONNREFUSED 127.0.0.1:80"; "terminated" → "UND_ERR_SOCKET: other side closed").
 */
export function describeFailure(e: unknown): string {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur instanceof Error && cur.cause !== undefined; i++) cur = cur.cause;
  const message = cur instanceof Error ? cur.message : String(cur);
  const code = cur && typeof cur === 'object' && 'code' in cur && typeof cur.code === 'string' ? cur.code : '';
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

/**
 * GET (or HEAD) with the hub's headers. Resolves once headers arrive; the caller reads the
 * body, touching `watchdog` per chunk, and stops it when done. Network failures become
 * `network` HubErrors; HTTP statuses are left to the caller (see statusError).
 */
export async function hubFetch(deps: HubDeps, url: string, target: HubTarget, headers: Record<string, string> = {}) {
  const watchdog = new IdleWatchdog(deps.idleTimeoutMs ?? DEFAULT_IDLE_TIMEOUT_MS);
  const all: Record<string, string> = { ...headers };
  if (deps.env.token) all.authorization = `Bearer ${deps.env.token}`;
  try {
    const res = await deps.fetch(url, { headers: all, redirect: 'follow', signal: watchdog.controller.signal });
    watchdog.touch();
    return { res, watchdog };
  } catch (e) {
    watchdog.stop();
    const why = watchdog.fired ? `no response within ${idleSeconds(deps)} s` : describeFailure(e);
    throw new HubError('network', target.repo, target.file, `cannot reach ${deps.env.endpoint} (${why})`, { cause: e });
  }
}

/** A whole (small) body as text, the watchdog touched per chunk so only a stall aborts it. */
export async function readText(res: Response, watchdog: IdleWatchdog): Promise<string> {
  if (!res.body) return '';
  const decoder = new TextDecoder();
  let text = '';
  const reader = res.body.getReader();
  for (let r = await reader.read(); !r.done; r = await reader.read()) {
    watchdog.touch();
    text += decoder.decode(r.value, { stream: true });
  }
  return text + decoder.decode();
}

/** The error for a response that is not 2xx. */
export function statusError(res: Response, target: HubTarget, deps: HubDeps): HubError {
  const { repo, file, revision } = target;
  const code = res.headers.get('x-error-code') ?? '';
  const detail = res.headers.get('x-error-message');
  const tail = ` (HTTP ${res.status}${detail ? `: ${detail}` : ''})`;
  const status = { status: res.status };
  switch (res.status) {
    case 401:
      return deps.env.token
        ? new HubError('unauthorized', repo, file, `the hub rejected the token (HF_TOKEN or the stored login), or it has no access to this repository${tail}`, status)
        : new HubError('unauthorized', repo, file, `not found, or private or gated: set HF_TOKEN to a token with access${tail}`, status);
    case 403:
      return new HubError('forbidden', repo, file, `access denied; for a gated repository accept its terms at ${deps.env.endpoint}/${repo} with the token's account${tail}`, status);
    case 404:
      if (code === 'RevisionNotFound') return new HubError('not-found', repo, file, `revision "${revision}" not found${tail}`, status);
      if (file !== undefined && code !== 'RepoNotFound') return new HubError('not-found', repo, file, `not found at revision ${revision}${tail}`, status);
      return new HubError('not-found', repo, file, `repository not found on ${deps.env.endpoint}${tail}`, status);
    default:
      return new HubError('http', repo, file, `HTTP ${res.status} ${res.statusText}${detail ? `: ${detail}` : ''}`.trimEnd(), status);
  }
}

/** Statuses worth retrying: the server is overloaded or briefly broken. */
export const isTransientStatus = (status: number) => status === 408 || status === 429 || status >= 500;

export function encodePath(path: string): string {
  return path.split('/').map(encodeURIComponent).join('/');
}
