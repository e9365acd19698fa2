// A chat choice's text pipeline: reasoning split off, tool calls parsed (Hermes format),
// the same however the text is cut into deltas; calls get ids once, on their first delta.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ChatChoice, ToolCallCollector } from '../../src/server/chat-choice.ts';

const REPLY = '<think>\nThe user wants weather.\n</think>\n\nLet me check.\n<tool_call>\n{"name": "get_weather", "arguments": {"city": "Paris"}}\n</tool_call>\n<tool_call>\n{"name": "get_time", "arguments": {}}\n</tool_call>';

function run(pieces: string[]) {
  let n = 0;
  const ch = new ChatChoice({ reasoning: true, startsInReasoning: false, toolFormat: 'hermes', toolNames: ['get_weather', 'get_time'], newCallId: () => `call_${n++}` });
  let content = '', reasoning = '';
  const calls = new ToolCallCollector();
  const idsSeen: string[] = [];
  for (const p of [...pieces.map((t) => ch.push(t)), ch.finish()]) {
    content += p.content;
    reasoning += p.reasoning;
    for (const d of p.toolCalls) if (d.id) idsSeen.push(d.id);
    calls.add(p.toolCalls);
  }
  return { content, reasoning, calls: calls.result(), idsSeen, sawToolCall: ch.sawToolCall };
}

test('chat choice: reasoning, content and two tool calls, whatever the deltas', () => {
  const whole = run([REPLY]);
  assert.equal(whole.reasoning, 'The user wants weather.');
  assert.equal(whole.content, 'Let me check.');
  assert.equal(whole.sawToolCall, true);
  assert.deepEqual(whole.calls.map((c) => [c.type, c.function.name, JSON.parse(c.function.arguments)]), [
    ['function', 'get_weather', { city: 'Paris' }],
    ['function', 'get_time', {}],
  ]);
  assert.equal(new Set(whole.idsSeen).size, 2, 'one id per call, sent once');
  for (const size of [1, 3, 7]) {
    const pieces = Array.from({ length: Math.ceil(REPLY.length / size) }, (_, i) => REPLY.slice(i * size, (i + 1) * size));
    const r = run(pieces);
    assert.deepEqual([r.content, r.reasoning, r.calls.map((c) => c.function)], [whole.content, whole.reasoning, whole.calls.map((c) => c.function)], `deltas of ${size}`);
    assert.equal(r.idsSeen.length, 2, `deltas of ${size}: ids on first deltas only`);
  }
});

test('chat choice: no tools and no reasoning pass the text through', () => {
  const ch = new ChatChoice({ reasoning: false, startsInReasoning: false, toolFormat: null, toolNames: [], newCallId: () => 'x' });
  assert.deepEqual(ch.push('<tool_call>{"name":"f"}'), { content: '<tool_call>{"name":"f"}', reasoning: '', toolCalls: [] });
  assert.equal(ch.sawToolCall, false);
});
