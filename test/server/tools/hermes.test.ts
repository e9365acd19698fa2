import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createToolCallParser, parseToolCalls } from '../../../src/server/tools/parser.ts';
import { callsOf, parseEverySplit, parsePieces } from './split-check.ts';

const TOOLS = ['get_weather', 'get_time', 'search'];

// Shaped like Qwen2.5 / Qwen3 replies: the JSON line between tags, as their template asks.
const call = (name: string, args: string) => `<tool_call>\n{"name": "${name}", "arguments": ${args}}\n</tool_call>`;

const cases: Record<string, { text: string; content: string; calls: [string, unknown][]; args?: string[] }> = {
  'one call, nothing else': {
    text: call('get_weather', '{"city": "Paris", "unit": "celsius"}'),
    content: '',
    calls: [['get_weather', { city: 'Paris', unit: 'celsius' }]],
    args: ['{"city": "Paris", "unit": "celsius"}'],
  },
  'content before the call': {
    text: `I'll look that up.\n\n${call('get_weather', '{"city": "Paris"}')}`,
    content: "I'll look that up.",
    calls: [['get_weather', { city: 'Paris' }]],
  },
  'parallel calls': {
    text: `${call('get_weather', '{"city": "Paris"}')}\n${call('get_time', '{"tz": "Europe/Paris"}')}\n${call('search', '{"q": "louvre", "n": 3}')}`,
    content: '',
    calls: [['get_weather', { city: 'Paris' }], ['get_time', { tz: 'Europe/Paris' }], ['search', { q: 'louvre', n: 3 }]],
  },
  'markers, escapes and non-ASCII inside argument strings': {
    text: call('search', '{"q": "</tool_call> <tool_call> \\"quoted\\" \\\\ \\u00e9\\n", "city": "São Paulo 🌧", "xs": [1, -2.5e3, true, null, {}]}'),
    content: '',
    calls: [['search', { q: '</tool_call> <tool_call> "quoted" \\ é\n', city: 'São Paulo 🌧', xs: [1, -2500, true, null, {}] }]],
  },
  'nested arguments': {
    text: call('search', '{"filter": {"tags": ["a", "b"], "range": {"from": 0, "to": 10}}, "opts": []}'),
    content: '',
    calls: [['search', { filter: { tags: ['a', 'b'], range: { from: 0, to: 10 } }, opts: [] }]],
  },
  'no arguments key gives {}': {
    text: '<tool_call>\n{"name": "get_time"}\n</tool_call>',
    content: '',
    calls: [['get_time', {}]],
    args: ['{}'],
  },
  'arguments before name': {
    text: '<tool_call>\n{"arguments": {"city": "Rome"}, "name": "get_weather"}\n</tool_call>',
    content: '',
    calls: [['get_weather', { city: 'Rome' }]],
  },
  'arguments as a JSON-encoded string': {
    text: '<tool_call>\n{"name": "get_weather", "arguments": "{\\"city\\": \\"Oslo\\"}"}\n</tool_call>',
    content: '',
    calls: [['get_weather', { city: 'Oslo' }]],
  },
  'text after the calls is content, whitespace around calls dropped': {
    text: `Checking.\n${call('get_time', '{}')}\n\nDone for now.\n`,
    content: 'Checking.Done for now.\n',
    calls: [['get_time', {}]],
  },
  'an extra closing brace before the closing tag': {
    text: '<tool_call>\n{"name": "get_time", "arguments": {"tz": "UTC"}}}\n</tool_call>',
    content: '',
    calls: [['get_time', { tz: 'UTC' }]],
  },
  'a forgotten closing tag before the next call': {
    text: '<tool_call>\n{"name": "get_time", "arguments": {}}\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Lima"}}\n</tool_call>',
    content: '',
    calls: [['get_time', {}], ['get_weather', { city: 'Lima' }]],
  },
  'a forgotten closing tag before text': {
    text: '<tool_call>\n{"name": "get_time", "arguments": {}}\nthat is all',
    content: 'that is all',
    calls: [['get_time', {}]],
  },
  'lookalike markers are content': {
    text: 'a < b, <tool> and <tool_cal> and </tool_call> stay <tool_call',
    content: 'a < b, <tool> and <tool_cal> and </tool_call> stay <tool_call',
    calls: [],
  },
  'an unknown function is content, verbatim': {
    text: `Hi ${call('delete_everything', '{"really": true}')} bye`,
    content: `Hi ${call('delete_everything', '{"really": true}')} bye`,
    calls: [],
  },
  'unknown and known calls side by side': {
    text: `${call('nope', '{}')}\n${call('get_time', '{}')}`,
    content: call('nope', '{}'),
    calls: [['get_time', {}]],
  },
  'an unknown call after a known one: no whitespace carried over': {
    text: `${call('get_time', '{}')}\n${call('nope', '{}')}`,
    content: call('nope', '{}'),
    calls: [['get_time', {}]],
  },
  'malformed JSON before the name is content': {
    text: '<tool_call>\n{name: "get_weather", arguments: {}}\n</tool_call>',
    content: '<tool_call>\n{name: "get_weather", arguments: {}}\n</tool_call>',
    calls: [],
  },
  'an object with other keys is no call': {
    text: '<tool_call>\n{"tool": "get_weather"}\n</tool_call>',
    content: '<tool_call>\n{"tool": "get_weather"}\n</tool_call>',
    calls: [],
  },
  'malformed JSON after the name: closed valid, rest of the call dropped': {
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Par\nis"}}\n</tool_call>\nAfter.',
    content: 'After.',
    calls: [['get_weather', { city: 'Par' }]],
    args: ['{"city": "Par"}'],
  },
  'a missing closing brace after complete arguments': {
    text: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}\n</tool_call>',
    content: '',
    calls: [['get_weather', { city: 'Paris' }]],
  },
  'reply cut off inside the arguments (max_tokens)': {
    text: '<tool_call>\n{"name": "search", "arguments": {"q": "the wea',
    content: '',
    calls: [['search', { q: 'the wea' }]],
    args: ['{"q": "the wea"}'],
  },
  'reply cut off after a comma': {
    text: '<tool_call>\n{"name": "search", "arguments": {"q": "x", "xs": [1,',
    content: '',
    calls: [['search', { q: 'x', xs: [1, null] }]],
  },
  'reply cut off before the name ends is content': {
    text: 'Sure.\n<tool_call>\n{"name": "get_wea',
    content: 'Sure.\n<tool_call>\n{"name": "get_wea',
    calls: [],
  },
  'reply cut off inside the opening tag is content': {
    text: 'Sure. <tool_ca',
    content: 'Sure. <tool_ca',
    calls: [],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`hermes: ${name} (whole and split at every boundary)`, () => {
    const got = parseEverySplit('hermes', c.text, TOOLS);
    assert.equal(got.content, c.content);
    assert.deepEqual(callsOf(got), c.calls);
    if (c.args) assert.deepEqual(got.calls.map((x) => x.function.arguments), c.args);
  });
}

test('hermes: a partial marker is held back until decided, then released or dropped', () => {
  const p = createToolCallParser('hermes', { toolNames: TOOLS, newId: () => 'call_x' });
  assert.deepEqual(p.push('Let me check <tool_'), { content: 'Let me check', toolCalls: [] });
  const a = p.push('call>\n{"name": "get_time", "arguments": {"tz": "U');
  assert.equal(a.content, '');
  assert.deepEqual(a.toolCalls, [
    { index: 0, id: 'call_x', type: 'function', function: { name: 'get_time', arguments: '' } },
    { index: 0, function: { arguments: '{"tz": "U' } },
  ]);
  assert.equal(p.sawToolCall, true);
  assert.deepEqual(p.push('TC"}}\n</tool_'), { content: '', toolCalls: [{ index: 0, function: { arguments: 'TC"}' } }] });
  assert.deepEqual(p.push('call>'), { content: '', toolCalls: [] });
  assert.deepEqual(p.finish(), { content: '', toolCalls: [] });

  const q = createToolCallParser('hermes', { toolNames: TOOLS });
  assert.equal(q.push('x <tool_c').content, 'x');
  assert.equal(q.push('ar').content, ' <tool_car');
  assert.equal(q.sawToolCall, false);
});

test('hermes: arguments stream as the model writes them', () => {
  const text = call('search', '{"q": "long query text", "n": 10}');
  const pieces = [...text];
  const { chunks } = parsePieces('hermes', pieces, TOOLS);
  // One argument delta per character once the call is open: nothing is saved up.
  const argChunks = chunks.filter((c) => c.toolCalls.some((d) => d.id === undefined));
  assert.equal(argChunks.length, '{"q": "long query text", "n": 10}'.length);
});

test('hermes: with no tools nothing is parsed', () => {
  const text = call('get_time', '{}');
  const got = parseEverySplit('hermes', text, []);
  assert.deepEqual(got, { content: text, calls: [] });
});

test('hermes: ids are OpenAI-style and unique; parseToolCalls joins a whole reply', () => {
  const { content, toolCalls } = parseToolCalls('hermes', `${call('get_time', '{}')}\n${call('get_time', '{}')}`, { toolNames: TOOLS });
  assert.equal(content, '');
  assert.equal(toolCalls.length, 2);
  for (const c of toolCalls) assert.match(c.id, /^call_[A-Za-z0-9]{24}$/);
  assert.notEqual(toolCalls[0].id, toolCalls[1].id);
});

test('hermes: push after finish is an error', () => {
  const p = createToolCallParser('hermes', { toolNames: TOOLS });
  p.finish();
  assert.throws(() => p.push('x'), /after finish/);
});
