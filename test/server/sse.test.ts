// SSE: events as `data:` lines then [DONE]; an error mid-stream is sent as an event;
// a cancelled body runs onCancel and closes the source; merged streams interleave.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mergeStreams } from '../../src/server/merge-streams.ts';
import { sseEnded, sseResponse } from '../../src/server/sse.ts';

test('sse: events, [DONE], errors as events, end hook', async () => {
  async function* events() {
    yield { a: 1 };
    yield { b: 'x\ny' };
  }
  let ended = 0;
  const res = sseResponse(events(), { onCancel: () => assert.fail('not cancelled'), onEnd: () => ended++, errorEvent: () => null });
  assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
  assert.equal(await res.text(), 'data: {"a":1}\n\ndata: {"b":"x\\ny"}\n\ndata: [DONE]\n\n');
  await sseEnded(res);
  assert.equal(ended, 1);

  async function* failing() {
    yield 1;
    throw new Error('boom');
  }
  const bad = sseResponse(failing(), { onCancel() {}, errorEvent: (e) => ({ error: { message: (e as Error).message } }) });
  assert.equal(await bad.text(), 'data: 1\n\ndata: {"error":{"message":"boom"}}\n\ndata: [DONE]\n\n');
});

test('sse: a cancelled body aborts the source', async () => {
  let cancelled = 0, closed = false;
  async function* endless() {
    try {
      for (let i = 0; ; i++) yield i;
    } finally {
      closed = true;
    }
  }
  const res = sseResponse(endless(), { onCancel: () => cancelled++, errorEvent: () => null });
  const reader = res.body!.getReader();
  await reader.read();
  await reader.cancel();
  await sseEnded(res);
  assert.equal(cancelled, 1);
  assert.equal(closed, true);
});

test('mergeStreams: items tagged by source in arrival order; return() closes all', async () => {
  const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));
  async function* src(name: string, gaps: number[]) {
    for (const [i, g] of gaps.entries()) {
      await delay(g);
      yield `${name}${i}`;
    }
  }
  const got: string[] = [];
  for await (const [i, v] of mergeStreams([src('a', [5, 30]), src('b', [15, 5])])) got.push(`${i}:${v}`);
  assert.deepEqual(got, ['0:a0', '1:b0', '1:b1', '0:a1']);
  let closed = 0;
  async function* forever() {
    try {
      for (;;) yield await delay(1);
    } finally {
      closed++;
    }
  }
  for await (const _ of mergeStreams([forever(), forever()])) break;
  assert.equal(closed, 2);
});
