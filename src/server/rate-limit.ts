// Per-client limits as token buckets refilled continuously: requests per minute (each
// request takes one) and model tokens per minute (a request is let in while the bucket
// is above zero, and its prompt + generated tokens are taken when it ends, so one large
// request can drive the bucket negative and hold the client off until it refills).
// A client is its API key when it sends one, else its address.
import { ApiError } from './errors.ts';

export interface RateLimits {
  /** Requests per minute per client; 0 = unlimited. */
  requestsPerMinute: number;
  /** Prompt + generated tokens per minute per client; 0 = unlimited. */
  tokensPerMinute: number;
}

interface Bucket {
  level: number;
  at: number;
}

/** Buckets not touched for this long are full again and are dropped. */
const FORGET_MS = 60_000;

class TokenBucket {
  private readonly buckets = new Map<string, Bucket>();
  private lastSweep = 0;
  constructor(private readonly perMinute: number) {}

  private get(client: string, now: number): Bucket {
    if (now - this.lastSweep > FORGET_MS) {
      for (const [k, b] of this.buckets) if (now - b.at > FORGET_MS && b.level >= 0) this.buckets.delete(k);
      this.lastSweep = now;
    }
    let b = this.buckets.get(client);
    if (!b) this.buckets.set(client, (b = { level: this.perMinute, at: now }));
    b.level = Math.min(this.perMinute, b.level + ((now - b.at) * this.perMinute) / 60_000);
    b.at = now;
    return b;
  }

  /** Takes `need` now (0) or says how many seconds until it is there. */
  takeOrWait(client: string, need: number, now: number): number {
    const b = this.get(client, now);
    if (b.level >= need) {
      b.level -= need;
      return 0;
    }
    return Math.max(1, Math.ceil(((need - b.level) * 60) / this.perMinute));
  }

  /** Seconds until the level is above zero (0: it is now). */
  waitForPositive(client: string, now: number): number {
    const b = this.get(client, now);
    return b.level > 0 ? 0 : Math.floor((-b.level * 60) / this.perMinute) + 1;
  }

  take(client: string, n: number, now: number): void {
    this.get(client, now).level -= n;
  }
}

export class RateLimiter {
  private readonly requests?: TokenBucket;
  private readonly tokens?: TokenBucket;

  constructor(limits: RateLimits, private readonly now: () => number = Date.now) {
    if (limits.requestsPerMinute > 0) this.requests = new TokenBucket(limits.requestsPerMinute);
    if (limits.tokensPerMinute > 0) this.tokens = new TokenBucket(limits.tokensPerMinute);
  }

  get enabled(): boolean {
    return this.requests !== undefined || this.tokens !== undefined;
  }

  /** Lets a request in or throws 429 with Retry-After. */
  admit(client: string): void {
    const now = this.now();
    // Tokens first: a request refused for tokens must not also spend a request.
    const tokenWait = this.tokens ? this.tokens.waitForPositive(client, now) : 0;
    if (tokenWait > 0) throw limited('tokens', tokenWait, 'tokens per minute');
    const reqWait = this.requests ? this.requests.takeOrWait(client, 1, now) : 0;
    if (reqWait > 0) throw limited('requests', reqWait, 'requests per minute');
  }

  /** A finished request's prompt + generated tokens. */
  spend(client: string, tokens: number): void {
    if (tokens > 0) this.tokens?.take(client, tokens, this.now());
  }
}

function limited(type: 'requests' | 'tokens', retryAfterSec: number, what: string): ApiError {
  return new ApiError(429, type, `Rate limit reached for ${what}; try again in ${retryAfterSec} s.`, null, 'rate_limit_exceeded', {
    'retry-after': String(retryAfterSec),
  });
}
