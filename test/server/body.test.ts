// Bodies: capped whether or not Content-Length is sent; JSON objects only.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readJsonObject } from '../../src/server/body.ts';
import { ApiError } from '../../src/server/errors.ts';

const streamed = (text: string) =>
  new Request('http://x/', {
    method: 'POST',
    body: new ReadableStream({
      start(c) {
        for (let i = 0; i < text.length; i += 10) c.enqueue(new TextEncoder().encode(text.slice(i, i + 10)));
        c.close();
      },
    }),
    duplex: 'half',
  } as RequestInit);

const is = (status: number, code: string) => (e: unknown) => e instanceof ApiError && e.status === status && e.code === code;

test('body: size cap with and without Content-Length, JSON objects only', async () => {
  assert.deepEqual(await readJsonObject(new Request('http://x/', { method: 'POST', body: '{"a":1}' }), 100), { a: 1 });
  const big = JSON.stringify({ a: 'x'.repeat(200) });
  await assert.rejects(readJsonObject(new Request('http://x/', { method: 'POST', body: big }), 100), is(413, 'request_too_large'));
  await assert.rejects(readJsonObject(streamed(big), 100), is(413, 'request_too_large'));
  assert.deepEqual(await readJsonObject(streamed(big), 1000), { a: 'x'.repeat(200) });
  for (const bad of ['{"a":', '[1,2]', 'null', '"s"', '']) {
    await assert.rejects(readJsonObject(new Request('http://x/', { method: 'POST', body: bad }), 100), is(400, 'invalid_json'), bad);
  }
});
