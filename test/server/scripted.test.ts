// The server's tool-call, reasoning and token-budget plumbing over real HTTP with the
// openai SDK (whole, streamed, the SDK's stream accumulator and its runTools loop), on a
// real tiny Qwen3 (its real tokenizer and chat template) whose replies are scripted by
// ScriptedEngine, since random weights never write a tool call. Also requests-per-minute
// limits per client. Servers listen on 127.0.0.1 through the Node adapter.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { nodeServeHost } from '../../runtimes/node/serve.ts';
import type { Listener } from '../../src/cli/serve.ts';
import { ModelRegistry } from '../../src/engine/model-registry.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { openModelSource, resolveModelSource } from '../../src/loader/model-source.ts';
import { loadModel, type Model } from '../../src/model/index.ts';
import { ApiKeys, createServerApp } from '../../src/server/index.ts';
import { testModel } from '../helpers/test-models.ts';
import { ScriptedEngine } from './scripted-engine.ts';

const TOOLS: OpenAI.ChatCompletionTool[] = [
  { type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } } },
  { type: 'function', function: { name: 'get_time', parameters: { type: 'object', properties: {} } } },
];
const CALLS = '<think>\nThey want weather and time.\n</think>\n\nChecking.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>';
const ANSWER = '<think>\nGot it.\n</think>\n\nParis: 18 C at noon.';

let gpu: GpuDevice;
let model: Model;
let engine: ScriptedEngine;
const listeners: Listener[] = [];

async function listen(app: ReturnType<typeof createServerApp>): Promise<string> {
  const l = await nodeServeHost.listen(app.fetch, { hostname: '127.0.0.1', port: 0 });
  listeners.push(l);
  app.ready();
  return `http://127.0.0.1:${l.port}/v1`;
}

before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  const opened = await openModelSource(await resolveModelSource(await testModel('tiny-qwen3'), { files: nodeFileHost }), nodeFileHost);
  model = await loadModel(gpu, opened, { maxContext: 256 });
  await opened.close();
  engine = new ScriptedEngine(model, (prompt) => (prompt.includes('<tool_response>') ? ANSWER : CALLS));
});

after(async () => {
  for (const l of listeners) l.close();
  model?.destroy();
  gpu?.destroy();
});

function scriptedServer(opts: Partial<Parameters<typeof createServerApp>[0]> = {}) {
  const registry = new ModelRegistry({ load: async () => ({ engine, memoryBytes: 0, close: async () => {} }) });
  registry.register({ id: 'qwen', source: 'scripted', type: 'chat' });
  return createServerApp({ registry, ...opts });
}

describe('tool calls and reasoning over HTTP (scripted replies)', () => {
  let client: OpenAI;
  before(async () => {
    client = new OpenAI({ baseURL: await listen(scriptedServer()), apiKey: 'x', maxRetries: 0 });
  });

  test('whole: message.tool_calls (parallel), reasoning_content, finish_reason tool_calls', async () => {
    const r = await client.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS });
    const c = r.choices[0];
    assert.equal(c.finish_reason, 'tool_calls');
    assert.equal(c.message.content, 'Checking.');
    assert.equal((c.message as { reasoning_content?: string }).reasoning_content, 'They want weather and time.');
    assert.deepEqual(c.message.tool_calls!.map((t) => [t.type, t.type === 'function' && t.function.name, t.type === 'function' && JSON.parse(t.function.arguments)]), [
      ['function', 'get_weather', { city: 'Paris' }],
      ['function', 'get_time', {}],
    ]);
    assert.equal(new Set(c.message.tool_calls!.map((t) => t.id)).size, 2);
    assert.ok(c.message.tool_calls!.every((t) => /^call_\w+$/.test(t.id)));
    assert.match(engine.prompts.at(-1)!, /<tools>[\s\S]*get_weather[\s\S]*<\/tools>/, 'the template rendered the tools');
  });

  test('streamed: incremental delta.tool_calls the SDK accumulates into the same calls', async () => {
    const stream = await client.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS, stream: true });
    const firsts = new Map<number, OpenAI.ChatCompletionChunk.Choice.Delta.ToolCall>();
    const args = new Map<number, string>();
    let reasoning = '', content = '', finish: string | null = null, deltas = 0;
    for await (const ch of stream) {
      const d = ch.choices[0]?.delta as OpenAI.ChatCompletionChunk.Choice.Delta & { reasoning_content?: string };
      if (!d) continue;
      reasoning += d.reasoning_content ?? '';
      content += d.content ?? '';
      for (const t of d.tool_calls ?? []) {
        deltas++;
        if (!firsts.has(t.index)) firsts.set(t.index, t);
        else assert.equal(t.id, undefined, 'the id comes once');
        args.set(t.index, (args.get(t.index) ?? '') + (t.function?.arguments ?? ''));
      }
      finish = ch.choices[0].finish_reason ?? finish;
    }
    assert.equal(finish, 'tool_calls');
    assert.equal(reasoning, 'They want weather and time.');
    assert.equal(content, 'Checking.');
    assert.ok(deltas > 2, `arguments streamed in pieces (${deltas} deltas)`);
    assert.deepEqual([...firsts.values()].map((t) => [t.index, t.type, t.function?.name, /^call_/.test(t.id ?? '')]), [[0, 'function', 'get_weather', true], [1, 'function', 'get_time', true]]);
    assert.deepEqual(JSON.parse(args.get(0)!), { city: 'Paris' });
    const final = await client.chat.completions.stream({ model: 'qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS }).finalChatCompletion();
    assert.deepEqual(final.choices[0].message.tool_calls!.map((t) => t.type === 'function' && t.function.name), ['get_weather', 'get_time']);
  });

  test("the SDK's runTools loop: calls, tool results rendered back, final answer", async () => {
    const ran: string[] = [];
    const runner = client.chat.completions.runTools({
      model: 'qwen',
      messages: [{ role: 'user', content: 'Weather?' }],
      tools: [
        { type: 'function', function: { name: 'get_weather', description: 'Weather in a city', parameters: { type: 'object', properties: { city: { type: 'string' } } }, parse: JSON.parse, function: (a: { city: string }) => (ran.push(`weather:${a.city}`), '18 C') } },
        { type: 'function', function: { name: 'get_time', description: 'The time', parameters: { type: 'object', properties: {} }, parse: JSON.parse, function: () => (ran.push('time'), 'noon') } },
      ],
    });
    assert.equal(await runner.finalContent(), 'Paris: 18 C at noon.');
    assert.deepEqual(ran.sort(), ['time', 'weather:Paris']);
    assert.match(engine.prompts.at(-1)!, /<tool_response>\n18 C\n<\/tool_response>/);
  });

  test('tool_choice none: no tools rendered, the markup stays content', async () => {
    const r = await client.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS, tool_choice: 'none' });
    assert.equal(r.choices[0].finish_reason, 'stop');
    assert.equal(r.choices[0].message.tool_calls, undefined);
    assert.match(r.choices[0].message.content!, /<tool_call>/);
    assert.doesNotMatch(engine.prompts.at(-1)!, /<tools>/);
  });
});

describe('rate limits over HTTP', () => {
  test('requests per minute per key: 429 with Retry-After, other keys and /health unaffected', async () => {
    const app = scriptedServer({ apiKeys: await ApiKeys.create(['k1', 'k2']), rateLimits: { requestsPerMinute: 2, tokensPerMinute: 0 } });
    const base = await listen(app);
    const k1 = new OpenAI({ baseURL: base, apiKey: 'k1', maxRetries: 0 });
    await k1.models.list();
    await k1.models.list();
    const e = await k1.models.list().then(() => assert.fail('expected 429'), (x: unknown) => x);
    assert.ok(e instanceof OpenAI.RateLimitError);
    assert.equal(e.headers.get('retry-after'), '30');
    assert.deepEqual([(e.error as { code?: string }).code, (e.error as { type?: string }).type], ['rate_limit_exceeded', 'requests']);
    await new OpenAI({ baseURL: base, apiKey: 'k2', maxRetries: 0 }).models.list();
    assert.equal((await fetch(base.replace('/v1', '/health'))).status, 200);
  });

  test('tokens per minute: a request that spends the budget holds the client off', async () => {
    const base = await listen(scriptedServer({ rateLimits: { requestsPerMinute: 0, tokensPerMinute: 60 } }));
    const c = new OpenAI({ baseURL: base, apiKey: 'x', maxRetries: 0 });
    const r = await c.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'Weather?' }], tools: TOOLS });
    assert.ok(r.usage!.total_tokens > 60);
    const e = await c.chat.completions.create({ model: 'qwen', messages: [{ role: 'user', content: 'again' }] }).then(() => assert.fail('expected 429'), (x: unknown) => x);
    assert.ok(e instanceof OpenAI.RateLimitError);
    assert.equal((e.error as { type?: string }).type, 'tokens');
    assert.ok(Number(e.headers.get('retry-after')) >= r.usage!.total_tokens - 60);
  });
});
