// `basert serve` over its life, each case a child process on 127.0.0.1: the demo model
// generated on first run when no --model is given; --idle-timeout unloading and the next
// request loading again; SIGUSR1 draining (the stream in flight finishes, new
// connections are refused, exit 0); SIGTERM exiting at once while saving the prefix
// cache, which the next start restores.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import OpenAI from 'openai';
import { testModel } from '../helpers/test-models.ts';
import { ROOT, sseEvents, startServe, type ServeChild } from './serve-child.ts';

let dir: string;
const children: ServeChild[] = [];
const hi = [{ role: 'user' as const, content: 'Hi' }];
const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(() => {
  dir = mkdtempSync(join(tmpdir(), 'basert-life-'));
});
after(async () => {
  for (const c of children) await c.stop();
  rmSync(dir, { recursive: true, force: true });
});

async function start(args: string[], env: Record<string, string> = {}): Promise<ServeChild> {
  const c = await startServe(args, { env });
  children.push(c);
  return c;
}

async function status(s: ServeChild, id: string): Promise<string> {
  const body = await (await fetch(`${s.baseURL}/models/status`)).json();
  return body.data.find((m: { id: string }) => m.id === id).status;
}

test('no --model: the demo model, idle unload and reload, request timeout, then SIGUSR1 drains and exits 0', async () => {
  const s = await start(['--idle-timeout', '1', '--request-timeout', '3000'], { BASERT_CACHE: join(dir, 'cache') });
  assert.match(s.stdout(), /demo: no --model given, so this serves 'basert-demo', a tiny random-weight model/);
  assert.ok(existsSync(join(dir, 'cache', 'demo-models', 'v1', 'tiny-qwen3', 'model.safetensors')), 'generated into BASERT_CACHE');
  const client = new OpenAI({ baseURL: s.baseURL, apiKey: 'unused', maxRetries: 0 });
  assert.deepEqual((await client.models.list()).data.map((m) => m.id), ['basert-demo']);
  const r = await client.chat.completions.create({ model: 'basert-demo', messages: hi, max_tokens: 2 });
  assert.equal(r.choices.length, 1);

  let st = await status(s, 'basert-demo');
  for (let i = 0; i < 100 && st !== 'registered'; i++) await delay(50), (st = await status(s, 'basert-demo'));
  assert.equal(st, 'registered', 'unloaded after 1 s idle');
  assert.match(s.stderr(), /model basert-demo: unloaded \(idle timeout\)/);
  await client.chat.completions.create({ model: 'basert-demo', messages: hi, max_tokens: 1 });
  assert.match(s.stderr(), /model basert-demo: loaded[\s\S]*unloaded \(idle timeout\)[\s\S]*model basert-demo: loaded/);

  // --request-timeout cuts a long generation short.
  const t0 = Date.now();
  const long = await client.chat.completions.create({ model: 'basert-demo', messages: hi, max_tokens: 200, ignore_eos: true } as never) as OpenAI.ChatCompletion;
  assert.equal(long.choices[0].finish_reason, 'length');
  assert.ok(long.usage!.completion_tokens < 200, `cut at ${long.usage!.completion_tokens} tokens after ${Date.now() - t0} ms`);

  // Drain: a stream in flight finishes; new connections are refused; exit 0.
  const res = await fetch(`${s.baseURL}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'basert-demo', messages: hi, max_tokens: 24, ignore_eos: true, stream: true }),
  });
  const [head, rest] = res.body!.tee();
  await head.getReader().read(); // the stream has started
  s.child.kill('SIGUSR1');
  for (let i = 0; i < 100 && !/draining/.test(s.stderr()); i++) await delay(20);
  const refused = await fetch(`${s.origin}/v1/models`).then((x) => x.status, (e: Error) => e.message);
  assert.ok(refused === 503 || /fetch failed/.test(String(refused)), `new requests are refused (${refused})`);
  const events = await sseEvents(new Response(rest));
  assert.equal(events.at(-1), '[DONE]');
  const chunks = events.slice(0, -1).map((e) => JSON.parse(e));
  assert.equal(chunks.at(-1).choices[0].finish_reason, 'length', 'the request in flight ran to its end');
  const { code } = await s.exited;
  assert.equal(code, 0);
  assert.match(s.stderr(), /basert serve: drained/);
});

test('SIGTERM exits at once and saves the prefix cache; the next start restores it', async () => {
  const model = await testModel('tiny-qwen3');
  const cacheFile = join(dir, 'prefix');
  const args = ['--model', model, '--prefix-cache-file', cacheFile];
  const prompt = [{ role: 'user' as const, content: 'A long shared system prompt, long enough to fill a few KV blocks of sixteen tokens each.' }];
  const a = await start(args);
  const c1 = new OpenAI({ baseURL: a.baseURL, apiKey: 'unused', maxRetries: 0 });
  await c1.chat.completions.create({ model: 'tiny-qwen3', messages: prompt, max_tokens: 1 });
  const res = await fetch(`${a.baseURL}/chat/completions`, {
    method: 'POST', headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model: 'tiny-qwen3', messages: hi, max_tokens: 200, ignore_eos: true, stream: true }),
  });
  const reader = res.body!.getReader();
  await reader.read();
  const t0 = Date.now();
  a.child.kill('SIGTERM');
  assert.equal((await a.exited).code, 0);
  assert.ok(Date.now() - t0 < 10_000, 'no waiting for the 200-token stream');
  assert.ok(existsSync(`${cacheFile}.tiny-qwen3`), 'prefix cache saved');

  const b = await start(args);
  assert.match(b.stderr(), /prefix cache .*: restored \d+ blocks/);
  const c2 = new OpenAI({ baseURL: b.baseURL, apiKey: 'unused', maxRetries: 0 });
  const r = await c2.chat.completions.create({ model: 'tiny-qwen3', messages: prompt, max_tokens: 1 });
  assert.ok(r.usage!.prompt_tokens_details!.cached_tokens! >= 16, `cached ${r.usage!.prompt_tokens_details!.cached_tokens} tokens`);
});

test('start-up failures: a bad config exits 2 naming the key, a missing model exits 1', () => {
  const serve = (...args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', 'runtimes/node/cli.ts', 'serve', '--port', '0', ...args], { cwd: ROOT, encoding: 'utf8', timeout: 60_000 });
  writeFileSync(join(dir, 'bad.toml'), '[api]\nmax_request_per_minute = 5\n');
  const bad = serve('--config', join(dir, 'bad.toml'));
  assert.equal(bad.status, 2, bad.stderr);
  assert.match(bad.stderr, /config api\.max_request_per_minute: unknown setting/);
  const missing = serve('--model', join(dir, 'nope.gguf'));
  assert.equal(missing.status, 1, missing.stderr);
  assert.match(missing.stderr, /nope\.gguf: no such file or directory/);
});
