// The service worker answers /v1 in headless Chromium (SwiftShader WebGPU) through the
// official openai SDK in the page, and its answers equal the Node server's (the same Hono
// app and Engine in process, on Dawn, shader-f16 off as SwiftShader has none) for the same
// requests: greedy and seeded, whole and streamed. Also: the model is downloaded once and
// checked against the hub-reported SHA-256, a stopped service worker reloads it from the
// Cache API, a file whose hash is wrong is refused, and relay mode (the engine in a page's
// worker) gives the same answers. Run with the test GPU: node scripts/with-gpu.mjs node --import tsx --test test/browser/service-worker.test.ts
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type OpenAI from 'openai';
import { demoServer, launch, MODEL_ID, modelPath, tail, type BrowserSession, type DemoServer } from './harness.ts';
import { nodeReference, type NodeReference } from './node-reference.ts';

const BAD_ID = 'tiny-qwen3-wrong-hash';
const messages = [{ role: 'system', content: 'You are terse.' }, { role: 'user', content: 'Hello! Who are you?' }] as const;
const GREEDY = { model: MODEL_ID, messages: [...messages], max_tokens: 8, temperature: 0 };
// Random weights give a nearly flat distribution over 151k tokens, where a last-bit
// difference in one logit (SwiftShader and lavapipe sum in different orders) moves the
// seeded draw to a neighbouring token; top_k keeps the draw among a few clear candidates.
const SEEDED = { model: MODEL_ID, messages: [...messages], max_tokens: 8, temperature: 0.9, top_k: 8, seed: 1234 };

let srv: DemoServer;
let ref: NodeReference;
let s: BrowserSession;

/** What the Node app answers (the reference). */
async function nodeChat(body: object): Promise<OpenAI.Chat.ChatCompletion> {
  const res = await ref.post('/v1/chat/completions', body);
  assert.equal(res.status, 200, await res.clone().text());
  return res.json() as Promise<OpenAI.Chat.ChatCompletion>;
}

/** The SDK in the page, non-streaming. */
const tabChat = (session: BrowserSession, body: object) =>
  session.page.evaluate((b) => window.basert.sdk().chat.completions.create(b as never) as unknown as Promise<OpenAI.Chat.ChatCompletion>, body);

/** The SDK in the page, streaming: every chunk, as received. */
const tabStream = (session: BrowserSession, body: object) =>
  session.page.evaluate(async (b) => {
    const chunks: OpenAI.Chat.ChatCompletionChunk[] = [];
    const stream = await window.basert.sdk().chat.completions.create({ ...(b as object), stream: true, stream_options: { include_usage: true } } as never);
    for await (const c of stream as unknown as AsyncIterable<OpenAI.Chat.ChatCompletionChunk>) chunks.push(c);
    return chunks;
  }, body);

const modelDownloads = () => srv.requests.filter((r) => r === `GET ${srv.model.url}`).length;

before(async () => {
  srv = await demoServer([{ id: BAD_ID, url: '/hub/basert/tiny-qwen3-GGUF/resolve/main/tiny-qwen3-Q8_0.gguf', sha256: '0'.repeat(64) }]);
  ref = await nodeReference(MODEL_ID, await modelPath(), ['shader-f16']);
});
after(async () => {
  await ref?.close();
  await srv?.close();
});

describe('the service worker serves the OpenAI API from the tab', { timeout: 240_000 }, () => {
  before(async () => {
    s = await launch();
    await s.page.goto(`${srv.url}test.html`);
    const hello = await s.page.evaluate(() => window.basert.connect());
    assert.deepEqual(hello, { mode: 'service-worker', reason: '' }, tail(s));
  });
  after(async () => {
    await s?.close();
  });

  test('GET /v1/models through the SDK lists the manifest models', async () => {
    const ids = await s.page.evaluate(async () => (await window.basert.sdk().models.list()).data.map((m) => m.id));
    assert.deepEqual(ids.sort(), [MODEL_ID, BAD_ID].sort());
  });

  test('a non-streaming chat completion equals the Node server\'s (greedy and seeded)', async () => {
    for (const body of [GREEDY, SEEDED]) {
      const [tab, node] = [await tabChat(s, body), await nodeChat(body)];
      assert.equal(tab.object, 'chat.completion');
      assert.equal(tab.model, MODEL_ID);
      assert.ok(tab.choices[0].message.content!.length > 0, 'some text came back');
      assert.deepEqual(
        { content: tab.choices[0].message.content, finish: tab.choices[0].finish_reason, usage: tab.usage },
        { content: node.choices[0].message.content, finish: node.choices[0].finish_reason, usage: node.usage },
        `temperature ${body.temperature}${tail(s)}`,
      );
    }
  });

  test('a streamed chat completion equals the Node server\'s, chunk by chunk', async () => {
    const chunks = await tabStream(s, GREEDY);
    const res = await ref.post('/v1/chat/completions', { ...GREEDY, stream: true, stream_options: { include_usage: true } });
    const nodeChunks = (await res.text()).split('\n\n').filter((e) => e.startsWith('data: {')).map((e) => JSON.parse(e.slice(6)) as OpenAI.Chat.ChatCompletionChunk);
    const shape = (cs: OpenAI.Chat.ChatCompletionChunk[]) => cs.map((c) => ({ choices: c.choices.map((x) => ({ delta: x.delta, finish: x.finish_reason })), usage: c.usage }));
    assert.ok(chunks.length >= 3, `role, content and finish chunks (got ${chunks.length})`);
    assert.deepEqual(chunks[0].choices[0].delta, { role: 'assistant', content: '' });
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id throughout');
    assert.deepEqual(shape(chunks), shape(nodeChunks));
    const text = chunks.map((c) => c.choices[0]?.delta?.content ?? '').join('');
    assert.equal(text, (await nodeChat(GREEDY)).choices[0].message.content);
  });

  test('the model was downloaded once and stored with the SHA-256 the hub reported', async () => {
    assert.equal(modelDownloads(), 1, srv.requests.join('\n'));
    const index = await s.page.evaluate(async () => {
      const res = await (await caches.open('basert-models-v1')).match('/__basert/models/index.json');
      return res ? res.json() : null;
    });
    const entry = (index as { id: string; sha256: string; size: number; source: string }[]).find((m) => m.id === MODEL_ID);
    assert.deepEqual(entry && { sha256: entry.sha256, size: entry.size, source: entry.source }, { sha256: srv.model.sha256, size: srv.model.size, source: 'basert/tiny-qwen3-GGUF:Q8_0' });
  });

  test('a stopped service worker starts again and reloads the model from the Cache API', async () => {
    const cdp = await s.context.newCDPSession(s.page);
    await cdp.send('ServiceWorker.enable');
    const stopped = new Promise<void>((resolve) => cdp.on('ServiceWorker.workerVersionUpdated', (e: { versions: { runningStatus: string }[] }) => {
      if (e.versions.every((v) => v.runningStatus === 'stopped')) resolve();
    }));
    await cdp.send('ServiceWorker.stopAllWorkers');
    await stopped;
    const status = await s.page.evaluate(async () => (await window.basert.sdk().get('/models/status')) as { data: { id: string; status: string }[] });
    assert.equal(status.data.find((m) => m.id === MODEL_ID)?.status, 'registered', 'a fresh worker: nothing loaded yet');
    const again = await tabChat(s, GREEDY);
    assert.equal(again.choices[0].message.content, (await nodeChat(GREEDY)).choices[0].message.content);
    assert.equal(modelDownloads(), 1, 'reloaded from the store, not downloaded again');
  });

  test('a file whose SHA-256 differs from the published one is refused and discarded', async () => {
    const err = await s.page.evaluate(async (id) => {
      try {
        await window.basert.sdk().post('/models/load', { body: { model: id } });
        return null;
      } catch (e) {
        return { status: (e as { status?: number }).status, message: (e as Error).message };
      }
    }, BAD_ID);
    assert.equal(err?.status, 500);
    assert.match(err!.message, /SHA-256 [0-9a-f]{64} does not match the published 0{64}; the file was discarded/);
    const failed = await s.page.evaluate((id) => window.basert.events.find((e) => e.type === 'progress' && e.model === id && e.phase === 'failed'), BAD_ID);
    assert.ok(failed, 'a failed progress event reached the page');
    const stored = await s.page.evaluate(async () => (await caches.open('basert-models-v1')).keys().then((ks) => ks.map((k) => new URL(k.url).pathname)));
    assert.ok(!stored.some((p) => p.includes(BAD_ID)), stored.join(', '));
  });
});

describe('relay mode: the engine in a page\'s worker, the service worker relaying /v1', { timeout: 180_000 }, () => {
  let r: BrowserSession;
  before(async () => {
    r = await launch();
    await r.page.goto(`${srv.url}test.html`);
  });
  after(async () => {
    await r?.close();
  });

  test('answers the same as the Node server, whole and streamed', async () => {
    const hello = await r.page.evaluate(() => window.basert.connect({ relay: '1' }));
    assert.deepEqual(hello, { mode: 'relay', reason: 'relay mode was asked for (relay=1)' }, tail(r));
    const info = await r.page.evaluate(() => window.basert.tab().info());
    assert.equal(info.place, 'worker');
    const whole = await tabChat(r, GREEDY);
    const expected = (await nodeChat(GREEDY)).choices[0].message.content;
    assert.equal(whole.choices[0].message.content, expected, tail(r));
    const chunks = await tabStream(r, GREEDY);
    assert.equal(chunks.map((c) => c.choices[0]?.delta?.content ?? '').join(''), expected);
    assert.equal(chunks.at(-1)?.usage?.completion_tokens, whole.usage?.completion_tokens);
  });
});
