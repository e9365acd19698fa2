import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createToolCallParser } from '../../../src/server/tools/parser.ts';
import { callsOf, parseEverySplit } from './split-check.ts';

const TOOLS = ['get_weather', 'get_time'];

// Shaped like Llama 3.1/3.2/3.3 replies to custom tools ("parameters", as their template
// asks), with <|python_tag|> when the server keeps special tokens in the text.
const cases: Record<string, { text: string; content: string; calls: [string, unknown][]; args?: string[] }> = {
  'the whole reply is one call': {
    text: '{"name": "get_weather", "parameters": {"location": "San Francisco, CA", "unit": "fahrenheit"}}',
    content: '',
    calls: [['get_weather', { location: 'San Francisco, CA', unit: 'fahrenheit' }]],
    args: ['{"location": "San Francisco, CA", "unit": "fahrenheit"}'],
  },
  'after <|python_tag|> and whitespace': {
    text: '\n<|python_tag|>{"name": "get_time", "parameters": {"tz": "UTC"}}',
    content: '',
    calls: [['get_time', { tz: 'UTC' }]],
  },
  '"arguments" instead of "parameters", and a "type" key': {
    text: '{"type": "function", "name": "get_time", "arguments": {"tz": "UTC"}}',
    content: '',
    calls: [['get_time', { tz: 'UTC' }]],
  },
  'several calls separated by ";"': {
    text: '{"name": "get_weather", "parameters": {"location": "Paris"}}; {"name": "get_time", "parameters": {"tz": "Europe/Paris"}}',
    content: '',
    calls: [['get_weather', { location: 'Paris' }], ['get_time', { tz: 'Europe/Paris' }]],
  },
  'several calls on separate lines': {
    text: '{"name": "get_time", "parameters": {}}\n{"name": "get_time", "parameters": {"tz": "UTC"}}',
    content: '',
    calls: [['get_time', {}], ['get_time', { tz: 'UTC' }]],
  },
  'text after the call is content': {
    text: '{"name": "get_time", "parameters": {}}\n\nI asked for the time.',
    content: 'I asked for the time.',
    calls: [['get_time', {}]],
  },
  'a reply that does not start with the call is content': {
    text: 'Sure! {"name": "get_time", "parameters": {}}',
    content: 'Sure! {"name": "get_time", "parameters": {}}',
    calls: [],
  },
  'a JSON answer that is no call is content': {
    text: '  {"answer": 42, "name": "get_time"}',
    content: '  {"answer": 42, "name": "get_time"}',
    calls: [],
  },
  'an unknown function is content': {
    text: '{"name": "send_email", "parameters": {"to": "x"}}',
    content: '{"name": "send_email", "parameters": {"to": "x"}}',
    calls: [],
  },
  'an unknown second call is content': {
    text: '{"name": "get_time", "parameters": {}}; {"name": "send_email", "parameters": {}}',
    content: '{"name": "send_email", "parameters": {}}',
    calls: [['get_time', {}]],
  },
  'built-in tool code after <|python_tag|> is content': {
    text: '<|python_tag|>brave_search.call(query="weather")',
    content: '<|python_tag|>brave_search.call(query="weather")',
    calls: [],
  },
  'malformed JSON before the name is content': {
    text: "{'name': 'get_time', 'parameters': {}}",
    content: "{'name': 'get_time', 'parameters': {}}",
    calls: [],
  },
  'parameters that are no object: the open call is closed with {}': {
    text: '{"name": "get_time", "parameters": [1, 2]}',
    content: '',
    calls: [['get_time', {}]],
  },
  'parameters that are no object before the name: no call': {
    text: '{"parameters": [1, 2], "name": "get_time"}',
    content: '{"parameters": [1, 2], "name": "get_time"}',
    calls: [],
  },
  'malformed JSON after the name: closed valid, rest dropped': {
    text: '{"name": "get_weather", "parameters": {"location": "Paris", "days": 3 4}} trailing',
    content: '',
    calls: [['get_weather', { location: 'Paris', days: 3 }]],
  },
  'reply cut off mid-number': {
    text: '{"name": "get_weather", "parameters": {"location": "Paris", "days": -',
    content: '',
    calls: [['get_weather', { location: 'Paris', days: -0 }]],
  },
  'reply cut off mid-literal and mid-escape': {
    text: '{"name": "get_weather", "parameters": {"ok": tr',
    content: '',
    calls: [['get_weather', { ok: true }]],
  },
  'plain text': {
    text: 'The weather in Paris is sunny.',
    content: 'The weather in Paris is sunny.',
    calls: [],
  },
  'only whitespace': { text: ' \n ', content: ' \n ', calls: [] },
  'a partial tag at the end is content': { text: '<|python_ta', content: '<|python_ta', calls: [] },
};

for (const [name, c] of Object.entries(cases)) {
  test(`llama3: ${name} (whole and split at every boundary)`, () => {
    const got = parseEverySplit('llama3', c.text, TOOLS);
    assert.equal(got.content, c.content);
    assert.deepEqual(callsOf(got), c.calls);
    if (c.args) assert.deepEqual(got.calls.map((x) => x.function.arguments), c.args);
  });
}

test('llama3: a possible call is held back until its name decides', () => {
  const p = createToolCallParser('llama3', { toolNames: TOOLS, newId: () => 'call_1' });
  assert.deepEqual(p.push('<|python_tag|>{"name": "get_'), { content: '', toolCalls: [] });
  assert.deepEqual(p.push('time", "parameters": {'), {
    content: '',
    toolCalls: [
      { index: 0, id: 'call_1', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 0, function: { arguments: '{' } },
    ],
  });
  assert.deepEqual(p.finish(), { content: '', toolCalls: [{ index: 0, function: { arguments: '}' } }] });

  const q = createToolCallParser('llama3', { toolNames: TOOLS });
  assert.deepEqual(q.push('{"name": "get_'), { content: '', toolCalls: [] });
  // Decided at the name's closing quote; trailing whitespace waits for what follows it.
  assert.deepEqual(q.push('x", '), { content: '{"name": "get_x",', toolCalls: [] });
  assert.deepEqual(q.push('"more": 1}'), { content: ' "more": 1}', toolCalls: [] });
});
