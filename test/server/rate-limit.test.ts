// Token buckets per client with a fake clock: requests/min refill continuously, a
// refusal names its type and a Retry-After that is really enough, tokens are charged
// after the fact and hold a client off until repaid.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/server/errors.ts';
import { RateLimiter } from '../../src/server/rate-limit.ts';

function refusal(f: () => void): ApiError {
  try {
    f();
  } catch (e) {
    assert.ok(e instanceof ApiError);
    return e;
  }
  assert.fail('expected a 429');
}

test('rate limit: requests per minute per client, Retry-After long enough', () => {
  let now = 1_000_000;
  const rl = new RateLimiter({ requestsPerMinute: 2, tokensPerMinute: 0 }, () => now);
  rl.admit('a');
  rl.admit('a');
  const e = refusal(() => rl.admit('a'));
  assert.equal(e.status, 429);
  assert.equal(e.type, 'requests');
  assert.equal(e.code, 'rate_limit_exceeded');
  const wait = Number(e.headers['retry-after']);
  assert.equal(wait, 30, 'one request refills in 60/2 s');
  rl.admit('b'); // another client has its own bucket
  now += (wait - 1) * 1000;
  refusal(() => rl.admit('a'));
  now += 1000;
  rl.admit('a');
});

test('rate limit: tokens are charged after the request and block until repaid', () => {
  let now = 0;
  const rl = new RateLimiter({ requestsPerMinute: 0, tokensPerMinute: 600 }, () => now);
  rl.admit('k');
  rl.spend('k', 900); // one big request: 300 tokens into debt
  const e = refusal(() => rl.admit('k'));
  assert.equal(e.type, 'tokens');
  assert.equal(Number(e.headers['retry-after']), 31, '300 tokens at 10/s, plus the first one');
  now += 30_000;
  refusal(() => rl.admit('k'));
  now += 1_000;
  rl.admit('k');
  assert.equal(new RateLimiter({ requestsPerMinute: 0, tokensPerMinute: 0 }).enabled, false);
});
