// Constrained decoding through `basert serve`: a real server (child process, software GPU,
// the tiny random-weight Qwen3 whose template writes Hermes <tool_call> calls) driven by
// the openai SDK and raw fetch. Random weights never write JSON or a tool call on their
// own, so every parse and validation below holds because of the grammar: response_format
// json_object / json_schema, the SDK's parse() with a zod schema, a named tool call,
// "required" with two tools, streamed tool-call deltas, parallel calls, "auto" once the
// call marker appears, the completions endpoint's response_format and GBNF grammar.
// Unconstrained requests served alongside get the tokens they get alone; schemas and
// grammars the engine cannot enforce are 400s naming the field.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { zodResponseFormat } from 'openai/helpers/zod';
import { z } from 'zod';
import { validate } from '../constrain/validate.ts';
import { testModel } from '../helpers/test-models.ts';
import { sseEvents, startServe, type ServeChild } from './serve-child.ts';

const MODEL = 'tiny-qwen3';
let server: ServeChild;
let client: OpenAI;

before(async () => {
  server = await startServe(['--model', await testModel('tiny-qwen3'), '--max-context', '512', '--max-tokens', '64', '--continuous-batching', '8']);
  client = new OpenAI({ baseURL: server.baseURL, apiKey: 'none', maxRetries: 0, timeout: 120_000 });
});
after(async () => {
  await server?.stop();
});

async function post(path: string, body: unknown): Promise<Response> {
  return fetch(`${server.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

async function error400(res: Response): Promise<{ message: string; param: string | null; code: string | null }> {
  const text = await res.text();
  assert.equal(res.status, 400, text);
  return JSON.parse(text).error;
}

const user = (content: string) => [{ role: 'user' as const, content }];

const PERSON = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 10 },
    age: { type: 'integer', minimum: 0, maximum: 120 },
    pets: { type: 'array', items: { type: 'object', properties: { kind: { enum: ['cat', 'dog'] }, legs: { type: 'integer', minimum: 0, maximum: 4 } }, required: ['kind', 'legs'], additionalProperties: false }, maxItems: 2 },
    address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } }, required: ['city', 'zip'], additionalProperties: false },
  },
  required: ['name', 'age', 'pets', 'address'],
  additionalProperties: false,
};

const WEATHER = { type: 'object', properties: { city: { type: 'string', maxLength: 12 }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false };
const ADD = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer', minimum: -10, maximum: 10 } }, required: ['a', 'b'], additionalProperties: false };
const TOOLS = [
  { type: 'function' as const, function: { name: 'get_weather', description: 'Weather in a city', parameters: WEATHER } },
  { type: 'function' as const, function: { name: 'add', description: 'Adds two integers', parameters: ADD } },
];
const SCHEMAS: Record<string, object> = { get_weather: WEATHER, add: ADD };

interface Call { id: string; type: string; function: { name: string; arguments: string } }

function checkCalls(calls: Call[] | undefined, what: string): void {
  assert.ok(calls && calls.length > 0, `${what}: no tool calls`);
  for (const c of calls) {
    assert.equal(c.type, 'function');
    assert.match(c.id, /^call_/);
    assert.ok(c.function.name in SCHEMAS, `${what}: unknown function ${c.function.name}`);
    assert.equal(validate(JSON.parse(c.function.arguments), SCHEMAS[c.function.name] as never), null, `${what}: ${c.function.arguments}`);
  }
}

describe('basert serve: constrained decoding', () => {
  test('response_format json_object: every choice is a JSON object (whole and streamed)', async () => {
    const r = await client.chat.completions.create({ model: MODEL, messages: user('Give me JSON.'), response_format: { type: 'json_object' }, n: 2, seed: 1, max_tokens: 40 });
    for (const c of r.choices) {
      const v = JSON.parse(c.message.content!);
      assert.ok(v && typeof v === 'object' && !Array.isArray(v), c.message.content!);
      assert.ok(['stop', 'length'].includes(c.finish_reason));
    }
    const stream = await client.chat.completions.create({ model: MODEL, messages: user('JSON'), response_format: { type: 'json_object' }, seed: 2, max_tokens: 30, stream: true });
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.equal(typeof JSON.parse(text), 'object', text);
  });

  test('response_format json_schema: a nested schema validates', async () => {
    const r = await client.chat.completions.create({
      model: MODEL, messages: user('A person, please.'), n: 3, seed: 3, max_tokens: 64, temperature: 0.9,
      response_format: { type: 'json_schema', json_schema: { name: 'person', strict: true, schema: PERSON } },
    });
    for (const c of r.choices) assert.equal(validate(JSON.parse(c.message.content!), PERSON), null, c.message.content!);
  });

  test('the SDK\'s chat.completions.parse() with a zod schema', async () => {
    const Answer = z.object({
      mood: z.enum(['happy', 'sad']),
      steps: z.array(z.object({ explanation: z.string().max(8), output: z.number().int().min(0).max(99) })).max(2),
      done: z.boolean(),
    });
    const r = await client.chat.completions.parse({ model: MODEL, messages: user('Solve it.'), response_format: zodResponseFormat(Answer, 'answer'), seed: 4, max_tokens: 200 });
    const parsed = r.choices[0].message.parsed;
    assert.ok(parsed, r.choices[0].message.content ?? '');
    assert.deepEqual(Answer.parse(parsed), parsed);
    assert.equal(r.choices[0].finish_reason, 'stop');
  });

  test('a named tool call: exactly that function, arguments valid against its schema', async () => {
    const r = await client.chat.completions.create({ model: MODEL, messages: user('Weather in Paris?'), tools: TOOLS, tool_choice: { type: 'function', function: { name: 'get_weather' } }, seed: 5, max_tokens: 60 });
    const c = r.choices[0];
    checkCalls(c.message.tool_calls as Call[], 'named');
    assert.equal(c.message.tool_calls!.length, 1);
    assert.equal((c.message.tool_calls![0] as Call).function.name, 'get_weather');
    assert.equal(c.finish_reason, 'tool_calls');
    assert.equal(c.message.content, null);
  });

  test('tool_choice "required" with two tools and parallel_tool_calls false: one valid call per choice', async () => {
    const r = await client.chat.completions.create({ model: MODEL, messages: user('Do something.'), tools: TOOLS, tool_choice: 'required', parallel_tool_calls: false, n: 4, seed: 6, max_tokens: 60 });
    const names = new Set<string>();
    for (const c of r.choices) {
      checkCalls(c.message.tool_calls as Call[], `choice ${c.index}`);
      assert.equal(c.message.tool_calls!.length, 1, `choice ${c.index}: exactly one call`);
      assert.equal(c.finish_reason, 'tool_calls');
      names.add((c.message.tool_calls![0] as Call).function.name);
    }
    assert.ok(names.size >= 1);
  });

  test('parallel_tool_calls (default true): one or more calls, each valid', async () => {
    const r = await client.chat.completions.create({ model: MODEL, messages: user('Do things.'), tools: TOOLS, tool_choice: 'required', n: 4, seed: 7, max_tokens: 90 });
    let most = 0;
    for (const c of r.choices) {
      checkCalls(c.message.tool_calls as Call[], `choice ${c.index}`);
      // The last call may have been closed early by max_tokens: still valid, finish 'length'.
      assert.ok(c.finish_reason === 'tool_calls' || c.finish_reason === 'length', c.finish_reason);
      most = Math.max(most, c.message.tool_calls!.length);
      const ids = c.message.tool_calls!.map((t) => t.id);
      assert.equal(new Set(ids).size, ids.length, 'call ids are unique');
    }
    assert.ok(most >= 2, `some choice made several calls (most: ${most})`);
  });

  test('streamed tool-call deltas concatenate to parseable, valid arguments', async () => {
    const res = await post('/chat/completions', { model: MODEL, messages: user('Stream calls.'), tools: TOOLS, tool_choice: 'required', seed: 8, max_tokens: 120, stream: true, n: 2 });
    assert.equal(res.status, 200);
    const events = await sseEvents(res);
    assert.equal(events.at(-1), '[DONE]');
    const calls: Call[][] = [[], []];
    const finish: string[] = [];
    let argDeltas = 0;
    for (const e of events.slice(0, -1)) {
      const chunk = JSON.parse(e);
      for (const ch of chunk.choices) {
        if (ch.finish_reason) finish[ch.index] = ch.finish_reason;
        for (const d of ch.delta.tool_calls ?? []) {
          const list = calls[ch.index];
          if (!list[d.index]) {
            assert.ok(d.id && d.type === 'function' && d.function.name, 'the first delta of a call has its id, type and name');
            list[d.index] = { id: d.id, type: d.type, function: { name: d.function.name, arguments: '' } };
          } else assert.equal(d.id, undefined);
          if (d.function.arguments) (list[d.index].function.arguments += d.function.arguments), argDeltas++;
        }
      }
    }
    for (let i = 0; i < 2; i++) {
      checkCalls(calls[i], `streamed choice ${i}`);
      // Parallel calls: a random model keeps adding calls until max_tokens closes the last.
      assert.ok(finish[i] === 'tool_calls' || finish[i] === 'length', finish[i]);
    }
    assert.ok(argDeltas > 4, 'arguments arrive in pieces');
  });

  test('tool_choice "auto": free text, and once the model opens a call, the call is valid', async () => {
    const free = await client.chat.completions.create({ model: MODEL, messages: user('Hi'), tools: TOOLS, seed: 9, max_tokens: 12 });
    assert.equal(typeof free.choices[0].message.content, 'string', 'a random model writes text');
    // logit_bias pushes the model to write the marker token; from there the grammar rules.
    const [open] = (await (await post('/tokenize', { model: MODEL, prompt: '<tool_call>' })).json()).tokens;
    const r = await client.chat.completions.create({ model: MODEL, messages: user('Call a tool.'), tools: TOOLS, tool_choice: 'auto', logit_bias: { [open]: 100 }, n: 2, seed: 10, max_tokens: 60 });
    for (const c of r.choices) {
      checkCalls(c.message.tool_calls as Call[], `auto choice ${c.index}`);
      assert.ok(c.finish_reason === 'tool_calls' || c.finish_reason === 'length', c.finish_reason);
    }
  });

  test('unconstrained requests served alongside constrained ones get the tokens they get alone', async () => {
    const prompts = ['Tell me a story.', 'What is 2+2?', 'Name a colour.'];
    const plain = (content: string) => client.chat.completions.create({ model: MODEL, messages: user(content), temperature: 0, max_tokens: 10 });
    const alone: string[] = [];
    for (const p of prompts) alone.push((await plain(p)).choices[0].message.content!);
    const busy = await Promise.all([
      ...prompts.map(plain),
      client.chat.completions.create({ model: MODEL, messages: user('JSON'), response_format: { type: 'json_schema', json_schema: { name: 'p', schema: PERSON } }, max_tokens: 40, seed: 11 }),
      client.chat.completions.create({ model: MODEL, messages: user('Call'), tools: TOOLS, tool_choice: 'required', max_tokens: 40, seed: 12 }),
    ]);
    prompts.forEach((_, i) => assert.equal(busy[i].choices[0].message.content, alone[i], `request ${i}`));
    assert.equal(validate(JSON.parse(busy[3].choices[0].message.content!), PERSON), null);
    checkCalls(busy[4].choices[0].message.tool_calls as Call[], 'busy call');
  });

  test('completions: response_format and a GBNF grammar', async () => {
    const j = await client.completions.create({ model: MODEL, prompt: 'JSON:', max_tokens: 30, seed: 13, response_format: { type: 'json_object' } } as never) as unknown as OpenAI.Completion;
    assert.equal(typeof JSON.parse(j.choices[0].text), 'object', j.choices[0].text);
    const gbnf = 'root ::= answer ("," answer)*\nanswer ::= "yes" | "no" | [0-9]{1,2}';
    const g = await (await post('/completions', { model: MODEL, prompt: 'Answers:', max_tokens: 20, seed: 14, n: 3, grammar: gbnf })).json();
    for (const c of g.choices) assert.match(c.text, /^(yes|no|[0-9]{1,2})(,(yes|no|[0-9]{1,2}))*$/);
    const s = await (await post('/completions', { model: MODEL, prompt: 'Person:', max_tokens: 64, seed: 15, response_format: { type: 'json_schema', json_schema: { name: 'p', schema: PERSON } } })).json();
    assert.equal(validate(JSON.parse(s.choices[0].text), PERSON), null, s.choices[0].text);
  });

  test('what cannot be enforced is a 400 naming the field and the keyword', async () => {
    const schemaErr = await error400(await post('/chat/completions', {
      model: MODEL, messages: user('x'),
      response_format: { type: 'json_schema', json_schema: { name: 'n', schema: { type: 'object', properties: { n: { type: 'number', multipleOf: 3 } } } } },
    }));
    assert.equal(schemaErr.param, 'response_format.json_schema.schema');
    assert.match(schemaErr.message, /multipleOf/);
    assert.match(schemaErr.message, /\/properties\/n\/multipleOf/);
    const strictTool = await error400(await post('/chat/completions', {
      model: MODEL, messages: user('x'), tool_choice: 'required',
      tools: [TOOLS[0], { type: 'function', function: { name: 'f', strict: true, parameters: { type: 'object', patternProperties: { '^a': {} } } } }],
    }));
    assert.equal(strictTool.param, 'tools[1].function.parameters');
    assert.match(strictTool.message, /patternProperties/);
    const gbnf = await error400(await post('/completions', { model: MODEL, prompt: 'x', grammar: 'root ::= "a" bogus' }));
    assert.equal(gbnf.param, 'grammar');
    assert.match(gbnf.message, /line 1/);
    const both = await error400(await post('/completions', { model: MODEL, prompt: 'x', grammar: 'root ::= "a"', response_format: { type: 'json_object' } }));
    assert.equal(both.param, 'grammar');
    // A non-strict tool whose schema cannot be enforced is relaxed (any object), not refused.
    const relaxed = await client.chat.completions.create({
      model: MODEL, messages: user('x'), tool_choice: 'required', seed: 16, max_tokens: 40,
      tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', minProperties: 1 } } }],
    });
    const call = relaxed.choices[0].message.tool_calls![0] as Call;
    assert.equal(call.function.name, 'f');
    assert.equal(typeof JSON.parse(call.function.arguments), 'object');
    // The server still serves after all that.
    assert.equal((await fetch(`${server.origin}/health`)).status, 200);
  });
});
