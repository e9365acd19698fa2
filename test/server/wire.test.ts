// Request validation: the first problem becomes OpenAI's 400 with a `param` path; unknown
// fields are refused as OpenAI refuses them; table-driven.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ApiError } from '../../src/server/errors.ts';
import { chatRequestSchema } from '../../src/server/wire/chat.ts';
import { completionRequestSchema } from '../../src/server/wire/completions.ts';
import { modelActionSchema } from '../../src/server/wire/misc.ts';
import { paramPath, parseRequest } from '../../src/server/wire/validate.ts';

const chat = (extra: Record<string, unknown>) => ({ model: 'm', messages: [{ role: 'user', content: 'hi' }], ...extra });

const BAD_CHAT: Record<string, [Record<string, unknown>, string, string]> = {
  'missing model': [{ model: undefined }, 'model', 'missing_required_parameter'],
  'empty messages': [{ messages: [] }, 'messages', 'invalid_value'],
  'bad role': [{ messages: [{ role: 'robot', content: 'x' }] }, 'messages[0].role', 'invalid_value'],
  'n too big': [{ n: 17 }, 'n', 'invalid_value'],
  'n zero': [{ n: 0 }, 'n', 'invalid_value'],
  'max_tokens zero': [{ max_tokens: 0 }, 'max_tokens', 'invalid_value'],
  'max_tokens float': [{ max_tokens: 1.5 }, 'max_tokens', 'invalid_value'],
  'stream as string': [{ stream: 'yes' }, 'stream', 'invalid_value'],
  'unknown field': [{ frobnicate: 1 }, 'frobnicate', 'unknown_parameter'],
  'unknown stream option': [{ stream: true, stream_options: { x: 1 } }, 'stream_options.x', 'unknown_parameter'],
  'bad tool name': [{ tools: [{ type: 'function', function: { name: 'has space' } }] }, 'tools[0].function.name', 'invalid_value'],
  'bad tool_choice': [{ tool_choice: 'sometimes' }, 'tool_choice', 'invalid_value'],
  'bad response_format': [{ response_format: { type: 'yaml' } }, 'response_format.type', 'invalid_value'],
  'stop list too long': [{ stop: Array.from({ length: 17 }, (_, i) => `s${i}`) }, 'stop', 'invalid_value'],
};

test('wire: bad chat requests name their param', () => {
  for (const [name, [extra, param, code]] of Object.entries(BAD_CHAT)) {
    assert.throws(() => parseRequest(chatRequestSchema, chat(extra)), (e: unknown) => {
      assert.ok(e instanceof ApiError, name);
      assert.equal(e.status, 400, name);
      assert.equal(e.param, param, name);
      assert.equal(e.code, code, name);
      return true;
    });
  }
});

test('wire: good requests pass, with the fields clients send', () => {
  const ok = parseRequest(chatRequestSchema, chat({
    stream: true, stream_options: { include_usage: true }, temperature: 0.2, top_p: null, n: 2, stop: ['\n'], seed: 1,
    tools: [{ type: 'function', function: { name: 'get_weather', description: 'd', parameters: { type: 'object' } } }],
    tool_choice: { type: 'function', function: { name: 'get_weather' } }, parallel_tool_calls: true,
    response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' }, strict: true } },
    logprobs: true, top_logprobs: 3, user: 'u', metadata: { a: 'b' }, chat_template_kwargs: { enable_thinking: false },
  }));
  assert.equal(ok.n, 2);
  const c = parseRequest(completionRequestSchema, { model: 'm', prompt: [[1, 2], [3]], echo: true, logprobs: 2 });
  assert.deepEqual(c.prompt, [[1, 2], [3]]);
  assert.throws(() => parseRequest(completionRequestSchema, { model: 'm', prompt: [] }), (e: ApiError) => e.param === 'prompt');
  assert.equal(parseRequest(modelActionSchema, { name: 'x' }).name, 'x');
  assert.throws(() => parseRequest(modelActionSchema, {}), (e: ApiError) => e.param === 'model');
  assert.equal(paramPath(['messages', 3, 'content', 0, 'type']), 'messages[3].content[0].type');
});
