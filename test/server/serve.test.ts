// `basert serve` end to end: a real server on 127.0.0.1 (a child process on the software
// GPU with the tiny random-weight Qwen3), driven by the official openai SDK and raw
// fetch. Every endpoint, the streaming invariants, auth with several keys, CORS, a model
// registered in the TOML config that loads on first request, load/unload, metrics, the
// access log, a client that disconnects, and bad input that gets the right error while
// the server keeps serving. Random weights write gibberish, so assertions are about
// shapes, counts and invariants, never about the words.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { testModel } from '../helpers/test-models.ts';
import { sseEvents, startServe, type ServeChild } from './serve-child.ts';

const KEY = 'sk-test-one';
const KEY2 = 'sk-test-two';
const CHAT = 'tiny-qwen3';
const LAZY = 'test/lazy-llama';
const MAX_CONTEXT = 256;
const MAX_BODY = 64 * 1024;

let server: ServeChild;
let client: OpenAI;
let dir: string;
let logFile: string;

const hi = [{ role: 'user' as const, content: 'Hi' }];

async function post(path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${server.origin}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

async function errorOf(res: Response, status: number): Promise<{ message: string; type: string; param: string | null; code: string | null }> {
  const text = await res.text();
  assert.equal(res.status, status, text);
  assert.match(res.headers.get('content-type') ?? '', /application\/json/);
  const body = JSON.parse(text);
  assert.deepEqual(Object.keys(body), ['error']);
  assert.deepEqual(Object.keys(body.error).sort(), ['code', 'message', 'param', 'type']);
  assert.equal(typeof body.error.message, 'string');
  return body.error;
}

before(async () => {
  dir = mkdtempSync(join(tmpdir(), 'basert-serve-'));
  logFile = join(dir, 'logs', 'access.log');
  writeFileSync(join(dir, 'keys.txt'), `# extra keys\n${KEY2}\n`);
  writeFileSync(join(dir, 'basert.toml'), [
    '[api]',
    'cors_enabled = true',
    'cors_origins = ["http://allowed.test"]',
    `[api.models."${LAZY}"]`,
    `path = ${JSON.stringify(await testModel('tiny-llama'))}`,
    'type = "chat"',
    'context_length = 128',
    '[api.models.embed-model]',
    `path = ${JSON.stringify(await testModel('tiny-qwen2'))}`,
    'type = "embedding"',
  ].join('\n'));
  server = await startServe([
    '--model', await testModel('tiny-qwen3'), '--config', join(dir, 'basert.toml'),
    '--api-key', KEY, '--api-key-file', join(dir, 'keys.txt'),
    '--max-context', String(MAX_CONTEXT), '--max-tokens', '6', '--max-body-bytes', String(MAX_BODY),
    '--continuous-batching', '4', '--log-file', logFile,
  ]);
  client = new OpenAI({ baseURL: server.baseURL, apiKey: KEY, maxRetries: 0 });
});

after(async () => {
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('basert serve (node)', () => {
  test('banner, /health without a key, 401 without or with a wrong key, both headers and every key work', async () => {
    assert.match(server.stdout(), /models: tiny-qwen3 \(loading\), test\/lazy-llama \(loads on first request\), embed-model \(loads on first request\)/);
    assert.match(server.stdout(), /auth: 2 API keys/);
    assert.deepEqual(await (await fetch(`${server.origin}/health`)).json(), { status: 'ok' });
    const none = await errorOf(await fetch(`${server.baseURL}/models`), 401);
    assert.equal(none.code, 'missing_api_key');
    const wrong = await errorOf(await fetch(`${server.baseURL}/models`, { headers: { authorization: 'Bearer sk-nope' } }), 401);
    assert.equal(wrong.code, 'invalid_api_key');
    await assert.rejects(new OpenAI({ baseURL: server.baseURL, apiKey: 'sk-nope', maxRetries: 0 }).models.list(), OpenAI.AuthenticationError);
    assert.equal((await fetch(`${server.baseURL}/models`, { headers: { 'x-api-key': KEY2 } })).status, 200);
    assert.equal((await fetch(`${server.baseURL}/models`, { headers: { authorization: `Bearer ${KEY2}` } })).status, 200);
    assert.equal((await fetch(`${server.origin}/metrics`)).status, 401, 'metrics need a key');
  });

  test('GET /v1/models, /v1/models/{id}, /v1/models/status', async () => {
    const list = await client.models.list();
    assert.deepEqual(list.data.map((m) => m.id), [CHAT, LAZY, 'embed-model']);
    for (const m of list.data) assert.deepEqual([m.object, m.owned_by, typeof m.created], ['model', 'basert', 'number']);
    assert.equal((await client.models.retrieve(CHAT)).id, CHAT);
    assert.equal((await client.models.retrieve(LAZY)).id, LAZY, 'ids with a slash, as hub ids have');
    assert.equal((await (await fetch(`${server.baseURL}/models/${LAZY}`, { headers: { 'x-api-key': KEY } })).json()).id, LAZY);
    await assert.rejects(client.models.retrieve('no-such-model'), OpenAI.NotFoundError);
    const status = await (await fetch(`${server.baseURL}/models/status`, { headers: { authorization: `Bearer ${KEY}` } })).json();
    const byId = Object.fromEntries(status.data.map((m: { id: string }) => [m.id, m]));
    assert.equal(byId[CHAT].status, 'loaded');
    assert.equal(byId[CHAT].type, 'chat');
    assert.ok(byId[CHAT].uptime_s >= 0 && byId[CHAT].memory_bytes > 0);
    assert.equal(byId['embed-model'].type, 'embedding');
    assert.equal(status.memory_bytes, byId[CHAT].memory_bytes + (byId[LAZY].memory_bytes ?? 0));
  });

  test('chat completion, whole: shape, usage, finish_reason, seeds repeat', async () => {
    const r = await client.chat.completions.create({ model: CHAT, messages: [{ role: 'system', content: 'Be brief.' }, ...hi], max_tokens: 3 });
    assert.match(r.id, /^chatcmpl-/);
    assert.equal(r.object, 'chat.completion');
    assert.equal(r.model, CHAT);
    assert.equal(r.choices.length, 1);
    const c = r.choices[0];
    assert.equal(c.message.role, 'assistant');
    assert.equal(typeof c.message.content, 'string');
    assert.ok(['length', 'stop'].includes(c.finish_reason));
    assert.equal(r.usage!.completion_tokens <= 3, true);
    assert.equal(r.usage!.total_tokens, r.usage!.prompt_tokens + r.usage!.completion_tokens);
    const count = await (await post('/v1/tokenize', { model: CHAT, messages: [{ role: 'system', content: 'Be brief.' }, ...hi] })).json();
    assert.equal(count.count, r.usage!.prompt_tokens, '/v1/tokenize counts what the chat route renders');
    const seeded = () => client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 4, temperature: 1, seed: 42, ignore_eos: true } as never);
    const [a, b] = [await seeded(), await seeded()] as OpenAI.ChatCompletion[];
    assert.equal(a.choices[0].message.content, b.choices[0].message.content, 'same seed, same text');
    const greedy = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 4, temperature: 0, n: 2 });
    assert.deepEqual(greedy.choices.map((x) => x.index), [0, 1]);
    assert.equal(greedy.choices[0].message.content, greedy.choices[1].message.content, 'greedy choices agree');
  });

  test('sampling fields reach the engine: logit_bias forces a token, stop strings end the text; content parts', async () => {
    const [id] = (await (await post('/v1/tokenize', { model: CHAT, prompt: ' hello' })).json()).tokens;
    const forced = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 4, temperature: 0.8, top_k: 40, min_p: 0.01, presence_penalty: 0.5, frequency_penalty: 0.2, repetition_penalty: 1.1, logit_bias: { [id]: 100 }, seed: 3 } as never) as OpenAI.ChatCompletion;
    assert.equal(forced.choices[0].message.content, ' hello'.repeat(4));
    const stopped = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 6, temperature: 0, logit_bias: { [id]: 100 }, stop: ['o h'] });
    assert.equal(stopped.choices[0].message.content, ' hell', 'the text before the stop string, which spans two tokens');
    assert.equal(stopped.choices[0].finish_reason, 'stop');
    const stream = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 6, temperature: 0, logit_bias: { [id]: 100 }, stop: 'o h', stream: true });
    let text = '';
    for await (const ch of stream) text += ch.choices[0]?.delta.content ?? '';
    assert.equal(text, ' hell', 'a stop string is never streamed');
    const parts = await client.chat.completions.create({ model: CHAT, messages: [{ role: 'user', content: [{ type: 'text', text: 'Hello' }, { type: 'text', text: 'there' }] }], max_tokens: 1 });
    const plain = await client.chat.completions.create({ model: CHAT, messages: [{ role: 'user', content: 'Hello\nthere' }], max_tokens: 1 });
    assert.equal(parts.usage!.prompt_tokens, plain.usage!.prompt_tokens, 'text parts render as their lines');
  });

  test('chat completion, streamed: role first, one id, a finish chunk per choice, usage last, [DONE]', async () => {
    const stream = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 4, n: 2, stream: true, stream_options: { include_usage: true } });
    const chunks: OpenAI.ChatCompletionChunk[] = [];
    for await (const ch of stream) chunks.push(ch);
    assert.equal(new Set(chunks.map((c) => c.id)).size, 1, 'one id throughout');
    for (const index of [0, 1]) {
      const mine = chunks.filter((c) => c.choices[0]?.index === index);
      assert.equal(mine[0].choices[0].delta.role, 'assistant', 'the first delta carries the role');
      assert.equal(mine.filter((c) => c.choices[0].delta.role).length, 1);
      const finishes = mine.filter((c) => c.choices[0].finish_reason);
      assert.equal(finishes.length, 1);
      assert.equal(finishes[0], mine.at(-1), 'the finish chunk is the choice\'s last');
    }
    const last = chunks.at(-1)!;
    assert.deepEqual(last.choices, []);
    assert.equal(last.usage!.total_tokens, last.usage!.prompt_tokens + last.usage!.completion_tokens);
    assert.ok(chunks.slice(0, -1).every((c) => c.usage === null), 'usage: null on every other chunk');
    // The same stream on the wire: SSE framing and the [DONE] sentinel.
    const res = await post('/v1/chat/completions', { model: CHAT, messages: hi, max_tokens: 3, stream: true });
    assert.equal(res.headers.get('content-type'), 'text/event-stream; charset=utf-8');
    const events = await sseEvents(res);
    assert.equal(events.at(-1), '[DONE]');
    const parsed = events.slice(0, -1).map((e) => JSON.parse(e));
    assert.ok(parsed.every((p) => p.object === 'chat.completion.chunk' && !('usage' in p)));
    const text = parsed.map((p) => p.choices[0].delta.content ?? '').join('');
    assert.ok(parsed.at(-1).choices[0].finish_reason);
    assert.equal(typeof text, 'string');
  });

  test('logprobs with top_logprobs, whole and streamed', async () => {
    const r = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 3, logprobs: true, top_logprobs: 2, temperature: 0 });
    const content = r.choices[0].logprobs!.content!;
    assert.equal(content.length, r.usage!.completion_tokens);
    for (const e of content) {
      assert.ok(e.logprob <= 0);
      assert.equal(e.top_logprobs.length, 2);
      assert.equal(e.top_logprobs[0].logprob, e.logprob, 'greedy picks the most likely token');
      assert.deepEqual(e.bytes, [...new TextEncoder().encode(e.token)]);
    }
    const stream = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 3, logprobs: true, stream: true, temperature: 0 });
    let n = 0;
    for await (const ch of stream) n += ch.choices[0]?.logprobs?.content?.length ?? 0;
    assert.equal(n, content.length);
  });

  test('tools are accepted and rendered; tool_choice none renders none; two tokens complete no call', async () => {
    const tools: OpenAI.ChatCompletionTool[] = [{ type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } } }];
    const withTools = await (await post('/v1/tokenize', { model: CHAT, messages: hi, tools })).json();
    const without = await (await post('/v1/tokenize', { model: CHAT, messages: hi })).json();
    assert.ok(withTools.count > without.count + 20, 'the template renders the tool definitions');
    for (const tool_choice of ['auto', 'required', 'none', { type: 'function', function: { name: 'get_weather' } }] as const) {
      const r = await client.chat.completions.create({ model: CHAT, messages: hi, tools, tool_choice, max_tokens: 2 });
      assert.equal(r.usage!.prompt_tokens, tool_choice === 'none' ? without.count : withTools.count, `tool_choice ${JSON.stringify(tool_choice)}`);
      // Two tokens are too few to finish a call, even an enforced one (test/server/constrained.test.ts).
      assert.equal(r.choices[0].message.tool_calls, undefined);
    }
    const history = await client.chat.completions.create({
      model: CHAT, max_tokens: 2, tools,
      messages: [...hi, { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }] }, { role: 'tool', tool_call_id: 'call_1', content: '18 C' }],
    });
    assert.equal(history.choices.length, 1, 'a conversation with a tool call and its result renders');
  });

  test('completions: string, strings, token ids, echo, streamed', async () => {
    const r = await client.completions.create({ model: CHAT, prompt: 'Once upon a time', max_tokens: 3, temperature: 0 });
    assert.equal(r.object, 'text_completion');
    assert.equal(r.choices.length, 1);
    const ids = (await (await post('/v1/tokenize', { model: CHAT, prompt: 'Once upon a time' })).json()).tokens;
    const same = await client.completions.create({ model: CHAT, prompt: ids, max_tokens: 3, temperature: 0 });
    assert.equal(same.choices[0].text, r.choices[0].text, 'token ids and text prompt agree');
    const many = await client.completions.create({ model: CHAT, prompt: ['a', 'b c'], n: 2, max_tokens: 2, temperature: 0, logprobs: 1 });
    assert.deepEqual(many.choices.map((c) => c.index), [0, 1, 2, 3]);
    assert.equal(many.choices[0].text, many.choices[1].text);
    assert.equal(many.choices[0].logprobs!.tokens!.join(''), many.choices[0].text);
    const echo = await client.completions.create({ model: CHAT, prompt: 'Echo me', max_tokens: 2, echo: true });
    assert.ok(echo.choices[0].text.startsWith('Echo me'));
    const stream = await client.completions.create({ model: CHAT, prompt: 'Once upon a time', max_tokens: 3, temperature: 0, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: OpenAI.CompletionUsage | null | undefined;
    for await (const ch of stream) {
      text += ch.choices[0]?.text ?? '';
      usage = ch.usage ?? usage;
    }
    assert.equal(text, r.choices[0].text, 'streamed and whole agree');
    assert.equal(usage!.completion_tokens, r.usage!.completion_tokens);
  });

  test('tokenize and detokenize round trip', async () => {
    const t = await (await post('/v1/tokenize', { model: CHAT, prompt: 'Hello, world!', return_token_strs: true })).json();
    assert.equal(t.count, t.tokens.length);
    assert.equal(t.max_model_len, MAX_CONTEXT);
    assert.equal(t.token_strs.length, t.count);
    const d = await (await post('/v1/detokenize', { model: CHAT, tokens: t.tokens })).json();
    assert.equal(d.prompt, 'Hello, world!');
  });

  test('a registered model loads on its first request; unload and load by request', async () => {
    const status = async () => (await (await fetch(`${server.baseURL}/models/status`, { headers: { 'x-api-key': KEY } })).json()).data.find((m: { id: string }) => m.id === LAZY);
    assert.equal((await status()).status, 'registered');
    const r = await client.chat.completions.create({ model: LAZY, messages: hi, max_tokens: 2 });
    assert.equal(r.model, LAZY);
    assert.equal((await status()).status, 'loaded');
    const un = await (await post('/v1/models/unload', { name: LAZY })).json();
    assert.deepEqual([un.id, un.status, un.unloaded], [LAZY, 'registered', true]);
    const ld = await (await post('/v1/models/load', { model: LAZY })).json();
    assert.deepEqual([ld.id, ld.status], [LAZY, 'loaded']);
    assert.equal((await errorOf(await post('/v1/models/load', { model: 'no-such-model' }), 404)).code, 'model_not_found');
    const ctx = await errorOf(await post('/v1/chat/completions', { model: LAZY, messages: hi, max_tokens: 200 }), 400);
    assert.equal(ctx.code, 'context_length_exceeded', 'context_length from the config applies');
  });

  test('embeddings: 501 for models that do not embed, 404 for unknown ones', async () => {
    await assert.rejects(client.embeddings.create({ model: CHAT, input: 'x' }), (e: unknown) => e instanceof OpenAI.APIError && e.status === 501);
    const e = await errorOf(await post('/v1/embeddings', { model: 'embed-model', input: ['a', 'b'] }), 501);
    assert.equal(e.type, 'unsupported_error');
    assert.equal((await errorOf(await post('/v1/chat/completions', { model: 'embed-model', messages: hi }), 501)).param, 'model');
    assert.equal((await errorOf(await post('/v1/embeddings', { model: 'nope', input: 'x' }), 404)).code, 'model_not_found');
  });

  test('bad input gets the right status and error body, and the server keeps serving', async () => {
    const chat = (extra: Record<string, unknown>) => ({ model: CHAT, messages: hi, max_tokens: 2, ...extra });
    const cases: [string, unknown, number, string | null, string | null][] = [
      ['malformed JSON', '{"model": "tiny-qwen3", "messages": [', 400, null, 'invalid_json'],
      ['not an object', '[1]', 400, null, 'invalid_json'],
      ['model of the wrong type', chat({ model: 7 }), 400, 'model', 'invalid_value'],
      ['messages of the wrong type', chat({ messages: 'hi' }), 400, 'messages', 'invalid_value'],
      ['content of the wrong type', chat({ messages: [{ role: 'user', content: 5 }] }), 400, 'messages[0].content', null],
      ['temperature of the wrong type', chat({ temperature: 'hot' }), 400, 'temperature', 'invalid_value'],
      ['temperature out of range', chat({ temperature: 5 }), 400, 'temperature', 'invalid_value'],
      ['unknown model', chat({ model: 'gpt-9' }), 404, 'model', 'model_not_found'],
      ['empty messages', chat({ messages: [] }), 400, 'messages', 'invalid_value'],
      ['n zero', chat({ n: 0 }), 400, 'n', 'invalid_value'],
      ['n too large', chat({ n: 1000 }), 400, 'n', 'invalid_value'],
      ['max_tokens zero', chat({ max_tokens: 0 }), 400, 'max_tokens', 'invalid_value'],
      ['max_tokens over the context', chat({ max_tokens: MAX_CONTEXT }), 400, 'max_tokens', 'context_length_exceeded'],
      ['prompt over the context', chat({ messages: [{ role: 'user', content: 'word '.repeat(MAX_CONTEXT) }] }), 400, 'messages', 'context_length_exceeded'],
      ['unsupported parameter', chat({ audio: { voice: 'alloy', format: 'wav' } }), 400, 'audio', 'unsupported_parameter'],
      ['unknown parameter', chat({ frequency_penality: 1 }), 400, 'frequency_penality', 'unknown_parameter'],
      ['tool_choice naming no tool', chat({ tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: { type: 'function', function: { name: 'g' } } }), 400, 'tool_choice', null],
      ['stream_options without stream', chat({ stream_options: { include_usage: true } }), 400, 'stream_options', null],
      ['oversized body', chat({ messages: [{ role: 'user', content: 'x'.repeat(MAX_BODY) }] }), 413, null, 'request_too_large'],
    ];
    for (const [name, body, status, param, code] of cases) {
      const e = await errorOf(await post('/v1/chat/completions', body), status);
      assert.equal(e.param, param, name);
      if (code !== null) assert.equal(e.code, code, name);
      if (status === 400) assert.equal(e.type, 'invalid_request_error', name);
    }
    const comp = await errorOf(await post('/v1/completions', { model: CHAT, prompt: [999_999_999] }), 400);
    assert.equal(comp.param, 'prompt');
    assert.equal((await errorOf(await post('/v1/nope', {}), 404)).code, 'unknown_url');
    await assert.rejects(client.chat.completions.create({ model: CHAT, messages: [], max_tokens: 1 }), OpenAI.BadRequestError);
    const ok = await client.chat.completions.create({ model: CHAT, messages: hi, max_tokens: 2 });
    assert.equal(ok.choices.length, 1, 'still serving');
  });

  test('CORS: preflight without a key, allowed origin echoed, others not', async () => {
    const pre = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'OPTIONS',
      headers: { origin: 'http://allowed.test', 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
    });
    assert.equal(pre.status, 204);
    assert.equal(pre.headers.get('access-control-allow-origin'), 'http://allowed.test');
    assert.match(pre.headers.get('access-control-allow-methods') ?? '', /POST/);
    assert.match((pre.headers.get('access-control-allow-headers') ?? '').toLowerCase(), /authorization/);
    const res = await fetch(`${server.baseURL}/models`, { headers: { origin: 'http://allowed.test', authorization: `Bearer ${KEY}` } });
    assert.equal(res.headers.get('access-control-allow-origin'), 'http://allowed.test');
    const other = await fetch(`${server.baseURL}/models`, { headers: { origin: 'http://evil.test', authorization: `Bearer ${KEY}` } });
    assert.equal(other.headers.get('access-control-allow-origin'), null);
  });

  test('a client that disconnects mid-stream aborts its generation', async () => {
    const before = chatLines().length;
    const ac = new AbortController();
    const res = await fetch(`${server.baseURL}/chat/completions`, {
      method: 'POST', signal: ac.signal,
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: CHAT, messages: hi, max_tokens: 200, ignore_eos: true, stream: true }),
    });
    const reader = res.body!.getReader();
    let seen = '';
    while ((seen.match(/"content":"[^"]/g) ?? []).length < 2) seen += new TextDecoder().decode((await reader.read()).value);
    ac.abort();
    // The access-log line is written when the stream ends; it shows the tokens generated.
    for (let i = 0; i < 300 && chatLines().length === before; i++) await new Promise((r) => setTimeout(r, 50));
    const line = chatLines()[before];
    assert.ok(line, 'the aborted request was logged');
    const generated = Number(/tokens=\d+\+(\d+)/.exec(line)![1]);
    assert.ok(generated >= 2 && generated < 100, `stopped early (${generated} of 200 tokens)`);
    const st = await (await fetch(`${server.baseURL}/models/status`, { headers: { 'x-api-key': KEY } })).json();
    assert.equal(st.data.find((m: { id: string }) => m.id === CHAT).active_requests, 0);
  });

  test('metrics: Prometheus text and the same figures as JSON', async () => {
    const auth = { authorization: `Bearer ${KEY}` };
    const text = await (await fetch(`${server.origin}/metrics`, { headers: auth })).text();
    const chatOk = Number(/basert_requests_total\{route="\/v1\/chat\/completions",status="200"\} (\d+)/.exec(text)?.[1]);
    assert.ok(chatOk >= 5, text.slice(0, 400));
    assert.match(text, /basert_requests_total\{route="\/v1\/chat\/completions",status="400"\} \d+/);
    assert.match(text, /# TYPE basert_time_to_first_token_seconds histogram/);
    assert.match(text, new RegExp(`basert_time_per_output_token_seconds_count\\{model="${CHAT}"\\} \\d+`));
    assert.match(text, new RegExp(`basert_requests_running\\{model="${CHAT}"\\} 0`));
    assert.match(text, /basert_kv_cache_usage_ratio\{model="tiny-qwen3"\} [\d.e-]+/);
    assert.match(text, /basert_prefix_cache_hits_tokens\{model="tiny-qwen3"\} \d+/);
    const json = await (await fetch(`${server.baseURL}/metrics`, { headers: auth })).json();
    const gen = Number(/basert_generation_tokens_total\{model="tiny-qwen3"\} (\d+)/.exec(text)![1]);
    assert.ok(gen > 0);
    const jsonGen = json.basert_generation_tokens_total.samples.find((s: { labels: { model: string } }) => s.labels.model === CHAT).value;
    assert.equal(jsonGen, gen);
  });

  test('the log file: one access line per request, diagnostics too', () => {
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /model tiny-qwen3: loaded in [\d.]+ s/);
    assert.match(log, /model test\/lazy-llama: unloaded \(request\)/);
    assert.match(log, /^\S+Z 127\.0\.0\.1 "POST \/v1\/chat\/completions" 200 model=tiny-qwen3 tokens=\d+\+\d+ \d+ms$/m);
    assert.match(log, /"GET \/v1\/models" 401 model=- tokens=- \d+ms/);
    assert.match(log, /"POST \/v1\/chat\/completions" 404 model=gpt-9 /);
    assert.equal(server.stderr().includes('"POST /v1/chat/completions"'), false, 'access lines go to the file, not stderr');
  });
});

function chatLines(): string[] {
  return readFileSync(logFile, 'utf8').split('\n').filter((l) => l.includes('"POST /v1/chat/completions" 200'));
}
