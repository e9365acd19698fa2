// The grammars the server builds for response_format and tool_choice, without a GPU:
// random walks over the real Qwen3 vocabulary (any allowed token, uniformly, with a
// max_tokens budget) whose text the streaming tool-call parser of the same format must
// read back as valid calls, for every format (Hermes, Llama 3, both Mistral shapes) and
// mode ("required", a named function, "auto", parallel or not); reasoning before the
// answer; and the 400s for what cannot be enforced.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compileGrammar, GrammarMatcher, type CompiledGrammar, type TokenVocab } from '../../src/constrain/index.ts';
import type { RenderedChat } from '../../src/server/chat-prompt.ts';
import { chatConstraint, completionConstraint } from '../../src/server/constraints.ts';
import { ApiError } from '../../src/server/errors.ts';
import type { ToolCallFormat } from '../../src/server/tools/format.ts';
import { toolCallGrammar, type ToolGrammarOptions, type ToolMode } from '../../src/server/tools/grammar.ts';
import { parseToolCalls } from '../../src/server/tools/parser.ts';
import type { ChatRequest } from '../../src/server/wire/chat.ts';
import { allowedIds, qwen3Vocab } from '../constrain/helpers.ts';
import { validate } from '../constrain/validate.ts';
import { rng } from '../helpers/random.ts';

const WEATHER = { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false };
const ADD = { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'], additionalProperties: false };
const SCHEMAS: Record<string, object> = { get_weather: WEATHER, add: ADD };
const TOOLS = [{ name: 'get_weather', parameters: WEATHER }, { name: 'add', parameters: ADD }];

/** Uniformly random allowed tokens within a budget of `maxTokens`; the text, and whether it is complete. */
function walk(g: CompiledGrammar, vocab: TokenVocab, seed: number, maxTokens: number, prefix = ''): { text: string; complete: boolean } {
  const m = new GrammarMatcher(g, vocab);
  if (prefix) assert.ok(m.acceptText(prefix), `prefix ${prefix}`);
  const mask = new Uint32Array(vocab.maskWords);
  const random = rng(seed);
  const bytes: number[] = [...new TextEncoder().encode(prefix)];
  for (let i = 0; i < maxTokens && !m.isTerminated(); i++) {
    m.fillMask(mask, maxTokens - i);
    const ids = allowedIds(mask);
    const id = ids[Math.floor(random() * ids.length)];
    assert.ok(m.accept(id));
    bytes.push(...(vocab.tokenBytes[id] ?? []));
  }
  return { text: new TextDecoder('utf-8', { fatal: true }).decode(Uint8Array.from(bytes)), complete: m.isTerminated() || m.canEnd() };
}

function checkCalls(format: ToolCallFormat, text: string, expect: { names: string[]; exactlyOne: boolean }) {
  const { content, toolCalls } = parseToolCalls(format, text, { toolNames: TOOLS.map((t) => t.name) });
  assert.equal(content.trim(), '', `no content: ${text}`);
  assert.ok(toolCalls.length >= 1, text);
  if (expect.exactlyOne) assert.equal(toolCalls.length, 1, text);
  for (const c of toolCalls) {
    assert.ok(expect.names.includes(c.function.name), text);
    assert.equal(validate(JSON.parse(c.function.arguments), SCHEMAS[c.function.name] as never), null, text);
  }
  return toolCalls;
}

const SHAPES: [ToolCallFormat, Partial<ToolGrammarOptions>, string][] = [
  ['hermes', {}, '<tool_call>'],
  ['llama3', {}, '{'],
  ['mistral', {}, '[TOOL_CALLS]'],
  ['mistral', { mistralArgs: true }, '[TOOL_CALLS]'],
];

describe('tool-call grammars: what is written is what the parser reads', () => {
  for (const [format, extra, marker] of SHAPES) {
    const label = `${format}${extra.mistralArgs ? ' (name[ARGS])' : ''}`;
    test(`${label}: required, a named function, auto after the marker; parallel or not`, async () => {
      const { vocab } = await qwen3Vocab();
      const modes: [ToolMode, boolean][] = [['required', false], ['required', true], [{ name: 'add' }, true], ['auto', true]];
      for (const [mode, parallel] of modes) {
        const g = compileGrammar(toolCallGrammar({ format, tools: TOOLS, mode, parallel, ...extra }));
        let several = 0;
        for (let seed = 1; seed <= 6; seed++) {
          // auto: the walk starts by writing the marker (a model deciding to call).
          const { text, complete } = walk(g, vocab, seed, 90, mode === 'auto' ? marker : '');
          assert.ok(complete, `${label} ${JSON.stringify(mode)}: incomplete ${text}`);
          const names = typeof mode === 'object' ? [mode.name] : TOOLS.map((t) => t.name);
          const calls = checkCalls(format, text, { names, exactlyOne: !parallel || typeof mode === 'object' });
          if (calls.length > 1) several++;
        }
        if (parallel && typeof mode !== 'object') assert.ok(several > 0, `${label} ${JSON.stringify(mode)}: some walk made several calls`);
      }
    });
  }

  test('auto: plain text is left alone (no marker, any text)', async () => {
    const { vocab } = await qwen3Vocab();
    const g = compileGrammar(toolCallGrammar({ format: 'hermes', tools: TOOLS, mode: 'auto', parallel: true }));
    const m = new GrammarMatcher(g, vocab);
    assert.ok(m.acceptText('Sure! Here is <b>bold</b> text, a < b, and <tool_ca-lookalike>.\n') && m.canEnd());
    const mask = new Uint32Array(vocab.maskWords);
    m.fillMask(mask);
    assert.ok(allowedIds(mask).length > 150_000, 'nearly every token is allowed in free text');
    assert.ok(!m.acceptText('<tool_call>\n{"name": "nope"'), 'an unknown function cannot be called');
  });
});

const rendered = (over: Partial<RenderedChat> = {}): RenderedChat => ({
  text: '', ids: [], reasoning: false, startsInReasoning: false, toolFormat: 'hermes', toolNames: TOOLS.map((t) => t.name), templateSource: '', ...over,
});
const chatBody = (over: Partial<ChatRequest>): ChatRequest => ({ model: 'm', messages: [{ role: 'user' }], ...over }) as ChatRequest;
const wireTools = TOOLS.map((t) => ({ type: 'function' as const, function: { name: t.name, parameters: t.parameters } }));

describe('chatConstraint / completionConstraint', () => {
  test('response_format alone; with tools "auto": the JSON answer or calls; none for plain text', async () => {
    const { vocab } = await qwen3Vocab();
    assert.equal(chatConstraint(chatBody({}), rendered({ toolFormat: null })), undefined);
    assert.equal(chatConstraint(chatBody({ response_format: { type: 'text' } }), rendered({ toolFormat: null })), undefined);
    const json = chatConstraint(chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'w', schema: WEATHER } } }), rendered({ toolFormat: null }))!;
    for (let seed = 1; seed <= 3; seed++) assert.equal(validate(JSON.parse(walk(json.grammar, vocab, seed, 40).text), WEATHER), null);
    const both = chatConstraint(chatBody({ tools: wireTools, response_format: { type: 'json_schema', json_schema: { name: 'w', schema: WEATHER } } }), rendered())!;
    const asJson = walk(both.grammar, vocab, 4, 40, '{');
    assert.equal(validate(JSON.parse(asJson.text), WEATHER), null, asJson.text);
    checkCalls('hermes', walk(both.grammar, vocab, 5, 60, '<tool_call>').text, { names: ['get_weather', 'add'], exactlyOne: false });
    // The same request twice: the compiled grammar (and its mask caches) is reused.
    assert.equal(chatConstraint(chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'w', schema: WEATHER } } }), rendered({ toolFormat: null }))!.grammar, json.grammar);
  });

  test('a prompt that opened <think>: free reasoning up to </think>, then the constrained answer', async () => {
    const { vocab } = await qwen3Vocab();
    const c = chatConstraint(chatBody({ response_format: { type: 'json_object' } }), rendered({ toolFormat: null, reasoning: true, startsInReasoning: true }))!;
    const m = new GrammarMatcher(c.grammar, vocab);
    assert.ok(m.acceptText('Let me think: {not json} <b>'), 'reasoning is free text');
    assert.ok(!m.canEnd(), 'the answer is still owed');
    assert.ok(m.acceptText('</think>\n\n{"a": 1}') && m.isTerminated());
    // With a budget, the reasoning is cut in time for the answer to fit.
    const w = walk(c.grammar, vocab, 6, 40);
    const at = w.text.indexOf('</think>');
    assert.ok(at >= 0 && w.complete, w.text);
    assert.equal(typeof JSON.parse(w.text.slice(at + 8)), 'object', w.text);
  });

  const refusal = (f: () => unknown): ApiError => {
    try {
      f();
    } catch (e) {
      assert.ok(e instanceof ApiError && e.status === 400, String(e));
      return e;
    }
    assert.fail('expected a 400');
  };

  test('what cannot be enforced is a 400 with param', () => {
    const bad = refusal(() => chatConstraint(chatBody({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'string', format: 'hostname' } } } }), rendered({ toolFormat: null })));
    assert.equal(bad.param, 'response_format.json_schema.schema');
    assert.match(bad.message, /format/);
    const strict = refusal(() => chatConstraint(chatBody({ tool_choice: 'required', tools: [wireTools[0], { type: 'function', function: { name: 'u', strict: true, parameters: { type: 'array', uniqueItems: true } } }] }), rendered()));
    assert.equal(strict.param, 'tools[1].function.parameters');
    assert.match(strict.message, /uniqueItems/);
    const gbnf = refusal(() => completionConstraint({ grammar: 'root ::= [a-' }));
    assert.equal(gbnf.param, 'grammar');
    assert.equal(refusal(() => completionConstraint({ grammar: 'root ::= "a"', response_format: { type: 'json_object' } })).param, 'grammar');
    assert.ok(completionConstraint({ grammar: 'root ::= "a"', response_format: { type: 'text' } }));
    assert.equal(completionConstraint({}), undefined);
  });
});
