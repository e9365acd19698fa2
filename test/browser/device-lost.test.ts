// A lost GPU device in the tab (device.destroy(), as a driver reset would do): requests in
// flight fail with 503 device_lost (a streamed one with the same error as its last
// event), the host takes a new device and reloads the model, and the next request gets
// the same answer as before the loss. Headless Chromium, SwiftShader WebGPU.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type OpenAI from 'openai';
import { demoServer, launch, MODEL_ID, tail, type BrowserSession, type DemoServer } from './harness.ts';

const GREEDY = { model: MODEL_ID, messages: [{ role: 'user', content: 'Hello!' }], max_tokens: 6, temperature: 0 };
// Long enough that the device is destroyed mid-generation (SwiftShader: ~0.1 s per token).
const LONG = { model: MODEL_ID, messages: [{ role: 'user', content: 'Tell me a story.' }], max_tokens: 400, ignore_eos: true, temperature: 0 };

let srv: DemoServer;
let s: BrowserSession;

before(async () => {
  srv = await demoServer();
  s = await launch();
  await s.page.goto(`${srv.url}test.html`);
  await s.page.evaluate(() => window.basert.connect());
});
after(async () => {
  await s?.close();
  await srv?.close();
});

const chat = (body: object) => s.page.evaluate((b) => window.basert.sdk().chat.completions.create(b as never) as unknown as Promise<OpenAI.Chat.ChatCompletion>, body);

test('device loss: in-flight requests fail with 503, the model reloads, serving goes on', { timeout: 180_000 }, async () => {
  const before = (await chat(GREEDY)).choices[0].message.content;
  assert.ok(before);

  // One whole and one streamed request in flight.
  await s.page.evaluate((b) => {
    window.basert.inflight = [window.basert.run(b, false), window.basert.run(b, true)];
  }, LONG);
  // Both running: the registry counts their leases.
  await s.page.waitForFunction(async () => {
    const st = (await window.basert.sdk().get('/models/status')) as { data: { active_requests: number }[] };
    return st.data[0].active_requests === 2;
  }, undefined, { polling: 100, timeout: 60_000 });
  await s.page.waitForTimeout(500);
  assert.equal(await s.page.evaluate(() => window.basert.tab().control({ method: 'lose-device' })), true);

  const [whole, streamed] = await s.page.evaluate(() => Promise.all(window.basert.inflight));
  assert.deepEqual({ ok: whole.ok, status: whole.status, code: whole.code }, { ok: false, status: 503, code: 'device_lost' }, `${whole.message}${tail(s)}`);
  assert.match(whole.message, /GPU device lost \(destroyed\).*retry the request/);
  assert.deepEqual({ ok: streamed.ok, code: streamed.code }, { ok: false, code: 'device_lost' }, streamed.message);
  assert.ok(streamed.chunks >= 1, 'the stream had started before the loss');

  await s.page.waitForFunction(() => window.basert.events.some((e) => e.type === 'device' && e.state === 'restored'), undefined, { polling: 200, timeout: 60_000 });
  const lost = await s.page.evaluate(() => window.basert.events.find((e) => e.type === 'device' && e.state === 'lost'));
  assert.deepEqual(lost && 'models' in lost ? lost.models : null, [MODEL_ID]);
  const after = await chat(GREEDY);
  assert.equal(after.choices[0].message.content, before, 'the reloaded model answers as before');
  const status = await s.page.evaluate(async () => (await window.basert.sdk().get('/models/status')) as { data: { status: string; active_requests: number }[] });
  assert.deepEqual({ status: status.data[0].status, active: status.data[0].active_requests }, { status: 'loaded', active: 0 });
});
