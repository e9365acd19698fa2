// The web demo in headless Chromium: the chat page shows the adapter and its features,
// loads the model with progress, renders a streamed answer (screenshot saved under
// .cache/test-artifacts/), stops a long generation (the abort reaches the engine), the
// raw API page runs every endpoint, and a browser without a WebGPU adapter gets a clear
// message.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { basename } from 'node:path';
import { demoServer, launch, MODEL_ID, modelPath, screenshot, tail, type BrowserSession, type DemoServer } from './harness.ts';

declare global {
  interface Window {
    /** Lengths of the answer's text, one per change the page rendered. */
    answerLengths?: number[];
  }
}

let srv: DemoServer;
let s: BrowserSession;
/** The first answer of the chat test, for the same question to the same weights picked from disk. */
let firstAnswer = '';

before(async () => {
  srv = await demoServer();
  s = await launch();
});
after(async () => {
  await s?.close();
  await srv?.close();
});

const state = (want: string) => s.page.waitForSelector(`body[data-state="${want}"]`, { timeout: 120_000 });

test('the chat page loads the model and renders a streamed answer', { timeout: 180_000 }, async () => {
  await s.page.goto(srv.url);
  await state('idle');
  const adapter = await s.page.textContent('#adapter');
  assert.match(adapter!, /google · swiftshader/, tail(s));
  assert.match(adapter!, /shader-f16 ✗, subgroups ✓/);
  assert.match((await s.page.textContent('#notes'))!, /no shader-f16: .*the f32 paths run/);
  assert.equal(await s.page.textContent('#mode'), 'runs in the service worker');
  assert.equal(await s.page.inputValue('#model'), MODEL_ID);

  await s.page.click('#load');
  await state('loading');
  await state('idle');
  assert.match((await s.page.textContent('#model-status'))!, /^loaded, \d+\.\d MiB on the GPU/, tail(s));
  assert.equal(await s.page.textContent('#progress-text'), `${MODEL_ID}: ready`);
  assert.equal(await s.page.textContent('#error'), '');

  await s.page.evaluate(() => {
    window.answerLengths = [];
    new MutationObserver(() => window.answerLengths!.push(document.querySelector('#answer .content')?.textContent?.length ?? 0))
      .observe(document.getElementById('log')!, { subtree: true, childList: true, characterData: true });
  });
  await s.page.fill('#max-tokens', '12');
  await s.page.fill('#prompt', 'Hello! Who are you?');
  await s.page.click('#send');
  await state('generating');
  await state('idle');
  const answer = await s.page.textContent('#answer .content');
  assert.ok(answer && answer.length > 0, `an answer was rendered${tail(s)}`);
  firstAnswer = answer;
  const lengths = new Set(await s.page.evaluate(() => window.answerLengths!.filter((n) => n > 0)));
  assert.ok(lengths.size >= 3, `the answer grew piece by piece (lengths seen: ${[...lengths].join(', ')})`);
  assert.match((await s.page.textContent('#stats'))!, /^12 tokens, \d+\.\d tokens\/s, first token \d+\.\d\d s$/);
  assert.equal(await s.page.textContent('#error'), '');
  const path = await screenshot(s.page, 'web-demo-chat');
  console.log(`screenshot: ${path}`);
});

test('the stop button ends a long generation, and the engine stops with it', { timeout: 120_000 }, async () => {
  await s.page.fill('#max-tokens', '2000');
  await s.page.fill('#prompt', 'Tell me a long story.');
  await s.page.click('#send');
  await state('generating');
  await s.page.waitForFunction(() => (document.querySelector('#answer .content')?.textContent?.length ?? 0) > 0, undefined, { timeout: 60_000 });
  const running = await s.page.evaluate(async () => (await fetch('/v1/models/status').then((x) => x.json())).data[0].active_requests);
  assert.equal(running, 1, 'the generation is running when stop is clicked');
  await s.page.click('#stop');
  await state('idle');
  assert.match((await s.page.textContent('#answer'))!, /\[stopped\]$/);
  // The client's abort cancels the SSE body in the service worker, which aborts the request.
  await s.page.waitForFunction(async () => {
    const r = await fetch('/v1/models/status').then((x) => x.json());
    return r.data[0].active_requests === 0;
  }, undefined, { polling: 200, timeout: 20_000 });
});

test('the raw API page shows each endpoint as curl and what came back', { timeout: 120_000 }, async () => {
  await s.page.goto(`${srv.url}api.html`);
  await state('idle');
  await s.page.click('#run-all');
  await state('running');
  await state('idle');
  const cards = await s.page.$$eval('.endpoint', (els) => els.map((e) => ({
    title: e.querySelector('h3')!.textContent!, curl: e.querySelector('.curl')!.textContent!, response: e.querySelector('.response')!.textContent!,
  })));
  const card = (title: string) => cards.find((c) => c.title.startsWith(`${title} —`))!;
  assert.match(card('chat completion').curl, /^curl "\$BASE\/v1\/chat\/completions" \\\n {2}-H 'Content-Type: application\/json' \\\n {2}-d '\{"model":"tiny-qwen3",/);
  assert.match(card('chat completion').response, /^HTTP 200 [^\n]*\n(.*\n)*content-type: application\/json/);
  assert.match(card('chat completion, streamed').curl, /^curl -N /);
  assert.match(card('chat completion, streamed').response, /data: \{"id":"chatcmpl-.*\n\ndata: \[DONE\]/s);
  assert.match(card('tokenize').response, /"tokens": \[/);
  assert.match(card('embeddings (501: basert runs decoders)').response, /^HTTP 501/);
  assert.match(card('health').response, /"status": "ok"/);
  assert.match(card('unload the model').response, /^HTTP 200/);
  await screenshot(s.page, 'web-demo-api');
});

test('a GGUF picked from disk is stored, loaded and answers as the same weights from the hub did', { timeout: 120_000 }, async () => {
  const path = await modelPath();
  const id = basename(path, '.gguf');
  await s.page.goto(srv.url);
  await state('idle');
  await s.page.setInputFiles('#file', path);
  await state('loading');
  await state('idle');
  assert.equal(await s.page.inputValue('#model'), id);
  assert.match((await s.page.textContent('#model-status'))!, /^loaded/, tail(s));
  assert.equal(await s.page.textContent('#error'), '');
  await s.page.fill('#max-tokens', '12');
  await s.page.fill('#prompt', 'Hello! Who are you?');
  await s.page.click('#send');
  await state('generating');
  await state('idle');
  assert.equal(await s.page.textContent('#answer .content'), firstAnswer);
});

test('without a WebGPU adapter the page says so', { timeout: 60_000 }, async () => {
  const plain = await launch({ webgpu: false });
  try {
    await plain.page.goto(srv.url);
    await plain.page.waitForSelector('body[data-state="idle"]', { timeout: 60_000 });
    assert.match((await plain.page.textContent('#error'))!, /WebGPU is enabled but no adapter is available/, tail(plain));
    assert.equal(await plain.page.textContent('#adapter'), 'none');
    await screenshot(plain.page, 'web-demo-no-webgpu');
  } finally {
    await plain.close();
  }
});
