import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createToolCallParser, parseToolCalls } from '../../../src/server/tools/parser.ts';
import { callsOf, parseEverySplit } from './split-check.ts';

const TOOLS = ['get_weather', 'get_time'];

// Shaped like Mistral replies: the v3 tokenizers' JSON list after [TOOL_CALLS] (decoded
// with the space that follows the control token), and the v11+ name[ARGS]{...} form.
const cases: Record<string, { text: string; content: string; calls: [string, unknown][]; ids?: string[] }> = {
  'list form, one call': {
    text: '[TOOL_CALLS] [{"name": "get_weather", "arguments": {"location": "Paris, France", "format": "celsius"}}]',
    content: '',
    calls: [['get_weather', { location: 'Paris, France', format: 'celsius' }]],
  },
  'list form, parallel calls': {
    text: '[TOOL_CALLS][{"name": "get_weather", "arguments": {"location": "Paris"}}, {"name": "get_time", "arguments": {}}]',
    content: '',
    calls: [['get_weather', { location: 'Paris' }], ['get_time', {}]],
  },
  'name[ARGS] form, parallel calls': {
    text: '[TOOL_CALLS]get_weather[ARGS]{"location": "Paris"}[TOOL_CALLS]get_time[ARGS]{}',
    content: '',
    calls: [['get_weather', { location: 'Paris' }], ['get_time', {}]],
  },
  'name[CALL_ID]id[ARGS] form keeps the model\'s id': {
    text: '[TOOL_CALLS]get_time[CALL_ID]a1B2c3D4e[ARGS]{"tz": "UTC"}',
    content: '',
    calls: [['get_time', { tz: 'UTC' }]],
    ids: ['a1B2c3D4e'],
  },
  'content before the calls': {
    text: 'Let me check both.\n[TOOL_CALLS]get_weather[ARGS]{"location": "Rome"}',
    content: 'Let me check both.',
    calls: [['get_weather', { location: 'Rome' }]],
  },
  'content after the calls': {
    text: '[TOOL_CALLS][{"name": "get_time", "arguments": {}}] Done.',
    content: 'Done.',
    calls: [['get_time', {}]],
  },
  'lookalike brackets are content': {
    text: '[INST] [TOOL] [TOOL_CALL] x[ARGS] [1, 2]',
    content: '[INST] [TOOL] [TOOL_CALL] x[ARGS] [1, 2]',
    calls: [],
  },
  'unknown function in the list form is content': {
    text: '[TOOL_CALLS][{"name": "rm_rf", "arguments": {}}]',
    content: '[TOOL_CALLS][{"name": "rm_rf", "arguments": {}}]',
    calls: [],
  },
  'unknown function in the name form is content, the next call still counts': {
    text: '[TOOL_CALLS]rm_rf[ARGS]{"path": "/"}[TOOL_CALLS]get_time[ARGS]{}',
    content: '[TOOL_CALLS]rm_rf[ARGS]{"path": "/"}',
    calls: [['get_time', {}]],
  },
  'a name with a bad character is content': {
    text: '[TOOL_CALLS]get time[ARGS]{}',
    content: '[TOOL_CALLS]get time[ARGS]{}',
    calls: [],
  },
  'malformed arguments after the name: closed valid, dropped to the next marker': {
    text: '[TOOL_CALLS]get_weather[ARGS]{"location": "Paris" "x"}garbage[TOOL_CALLS]get_time[ARGS]{}',
    content: '',
    calls: [['get_weather', { location: 'Paris' }], ['get_time', {}]],
  },
  'cut off inside the name form arguments': {
    text: '[TOOL_CALLS]get_weather[ARGS]{"location": "Par',
    content: '',
    calls: [['get_weather', { location: 'Par' }]],
  },
  'cut off right after [ARGS]': {
    text: '[TOOL_CALLS]get_time[ARGS]',
    content: '',
    calls: [['get_time', {}]],
  },
  'cut off inside the list': {
    text: '[TOOL_CALLS] [{"name": "get_time", "arguments": {"tz": "U',
    content: '',
    calls: [['get_time', { tz: 'U' }]],
  },
  'cut off before a name is known is content': {
    text: 'Ok [TOOL_CALLS]get_we',
    content: 'Ok [TOOL_CALLS]get_we',
    calls: [],
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`mistral: ${name} (whole and split at every boundary)`, () => {
    const got = parseEverySplit('mistral', c.text, TOOLS);
    assert.equal(got.content, c.content);
    assert.deepEqual(callsOf(got), c.calls);
    if (c.ids) assert.deepEqual(got.calls.map((x) => x.id), c.ids);
  });
}

test('mistral: the marker is held back, the call opens at [ARGS]', () => {
  const p = createToolCallParser('mistral', { toolNames: TOOLS, newId: () => 'abcdefghi' });
  assert.deepEqual(p.push('Hi [TOOL_'), { content: 'Hi', toolCalls: [] });
  assert.deepEqual(p.push('CALLS]get_time[AR'), { content: '', toolCalls: [] });
  assert.deepEqual(p.push('GS]{"tz"'), {
    content: '',
    toolCalls: [
      { index: 0, id: 'abcdefghi', type: 'function', function: { name: 'get_time', arguments: '' } },
      { index: 0, function: { arguments: '{"tz"' } },
    ],
  });
  assert.deepEqual(p.push(': "UTC"}'), { content: '', toolCalls: [{ index: 0, function: { arguments: ': "UTC"}' } }] });
  assert.deepEqual(p.finish(), { content: '', toolCalls: [] });
});

test('mistral: generated ids are 9 alphanumerics, as Mistral templates require', () => {
  const { toolCalls } = parseToolCalls('mistral', '[TOOL_CALLS]get_time[ARGS]{}[TOOL_CALLS]get_time[ARGS]{}', { toolNames: TOOLS });
  assert.equal(toolCalls.length, 2);
  for (const c of toolCalls) assert.match(c.id, /^[A-Za-z0-9]{9}$/);
  assert.notEqual(toolCalls[0].id, toolCalls[1].id);
});
