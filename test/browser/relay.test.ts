// relay.ts without a browser: Node has MessageChannel, Request, Response and streams, so
// the service worker's side (relayFetch) and the holder's (serveRelay) run here as they do
// in a tab, around a real Hono app.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { Hono } from 'hono';
import { streamSSE } from 'hono/streaming';
import { HolderGoneError, relayFetch, serveRelay } from '../../runtimes/browser/relay.ts';

function holder(app: Hono): MessagePort {
  const ch = new MessageChannel();
  serveRelay(ch.port1, async (req) => app.fetch(req));
  return ch.port2;
}

test('a request and its response cross the port: method, headers, body, status', async () => {
  const app = new Hono();
  app.post('/v1/echo', async (c) => c.json({ got: await c.req.json(), auth: c.req.header('authorization') }, 201, { 'x-basert': 'yes' }));
  const port = holder(app);
  const res = await relayFetch(port, new Request('http://tab/v1/echo', { method: 'POST', headers: { authorization: 'Bearer k', 'content-type': 'application/json' }, body: '{"a":[1,2]}' }));
  assert.equal(res.status, 201);
  assert.equal(res.headers.get('x-basert'), 'yes');
  assert.deepEqual(await res.json(), { got: { a: [1, 2] }, auth: 'Bearer k' });
  port.close();
});

test('a stream arrives event by event, pulled as the reader asks', async () => {
  const app = new Hono();
  let produced = 0;
  app.get('/v1/stream', (c) => streamSSE(c, async (s) => {
    for (let i = 0; i < 5; i++) {
      produced++;
      await s.writeSSE({ data: String(i) });
    }
  }));
  const port = holder(app);
  const res = await relayFetch(port, new Request('http://tab/v1/stream'));
  const reader = res.body!.getReader();
  const first = new TextDecoder().decode((await reader.read()).value);
  assert.equal(first, 'data: 0\n\n');
  assert.ok(produced < 5, `the holder waits for pulls (produced ${produced} before the second read)`);
  let rest = '';
  for (let r = await reader.read(); !r.done; r = await reader.read()) rest += new TextDecoder().decode(r.value);
  assert.equal(rest, 'data: 1\n\ndata: 2\n\ndata: 3\n\ndata: 4\n\n');
  port.close();
});

test('cancelling the response aborts the request on the holder', async () => {
  const app = new Hono();
  let aborted = false;
  app.get('/v1/slow', (c) => streamSSE(c, async (s) => {
    s.onAbort(() => {
      aborted = true;
    });
    for (let i = 0; i < 1000 && !aborted; i++) {
      await s.writeSSE({ data: String(i) });
      await s.sleep(5);
    }
  }));
  const port = holder(app);
  const res = await relayFetch(port, new Request('http://tab/v1/slow'));
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  for (let i = 0; i < 100 && !aborted; i++) await new Promise((r) => setTimeout(r, 10));
  assert.ok(aborted, 'the holder saw the abort');
  port.close();
});

test('a holder that never answers is reported as gone', async () => {
  const silent = new MessageChannel();
  await assert.rejects(relayFetch(silent.port2, new Request('http://tab/v1/models'), 100), HolderGoneError);
  silent.port1.close();
  silent.port2.close();
});
