// Token-level constraint with the real Qwen3 vocabulary: random walks that sample any
// allowed token must always end in text that parses and validates.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alt, compileGrammar, compileJsonSchema, GrammarBuilder, GrammarMatcher, jsonObjectGrammar, lit, parseGbnf, seq } from '../../src/constrain/index.ts';
import { rng } from '../helpers/random.ts';
import { allowedIds, isAllowed, qwen3Vocab, randomWalk } from './helpers.ts';
import { validate } from './validate.ts';

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string', maxLength: 12 },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    score: { type: 'number' },
    role: { enum: ['admin', 'user', 'guest'] },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 3 },
    address: {
      type: 'object',
      properties: { city: { type: 'string' }, zip: { type: ['string', 'null'] }, geo: { type: 'array', prefixItems: [{ type: 'number' }, { type: 'number' }], items: false, minItems: 2 } },
      required: ['city', 'geo'],
      additionalProperties: false,
    },
    active: { type: 'boolean' },
    when: { type: 'string', format: 'date' },
    pets: { type: 'array', items: { $ref: '#/$defs/pet' }, minItems: 1, maxItems: 2 },
  },
  required: ['name', 'age', 'role', 'address', 'pets'],
  additionalProperties: false,
  $defs: { pet: { anyOf: [{ type: 'object', properties: { kind: { const: 'cat' }, lives: { type: 'integer' } }, required: ['kind'], additionalProperties: false }, { type: 'null' }] } },
};

test('random walks over a nested schema always yield valid JSON', async () => {
  const { vocab } = await qwen3Vocab();
  const compiled = compileGrammar(compileJsonSchema(SCHEMA));
  for (let seed = 1; seed <= 12; seed++) {
    const walk = randomWalk(new GrammarMatcher(compiled, vocab), vocab, rng(seed));
    assert.ok(walk.terminated, `seed ${seed} did not terminate: ${walk.text.slice(0, 200)}`);
    const value = JSON.parse(walk.text);
    assert.equal(validate(value, SCHEMA), null, walk.text);
  }
});

test('json_object: random walks yield one JSON object', async () => {
  const { vocab } = await qwen3Vocab();
  const compiled = compileGrammar(jsonObjectGrammar());
  for (let seed = 1; seed <= 12; seed++) {
    const walk = randomWalk(new GrammarMatcher(compiled, vocab), vocab, rng(100 + seed));
    assert.ok(walk.terminated, `seed ${seed}: ${walk.text.slice(0, 200)}`);
    const value = JSON.parse(walk.text);
    assert.ok(typeof value === 'object' && value !== null && !Array.isArray(value), walk.text);
  }
});

test('GBNF arithmetic: random walks yield expressions that evaluate to numbers', async () => {
  const { vocab } = await qwen3Vocab();
  const compiled = compileGrammar(parseGbnf(String.raw`
root ::= expr
expr ::= term ([-+] term)*
term ::= factor ([*/] factor)*
factor ::= [0-9]{1,3} | "(" expr ")"
`));
  for (let seed = 1; seed <= 10; seed++) {
    const walk = randomWalk(new GrammarMatcher(compiled, vocab), vocab, rng(200 + seed), 20);
    // Nothing but digits, operators and balanced parentheses: a JavaScript expression too.
    assert.match(walk.text, /^[0-9+\-*/()]+$/);
    assert.equal(typeof new Function(`return ${walk.text}`)(), 'number', walk.text);
    // [0-9]{1,3} may always go on or stop: the walk ends by picking a stop id.
    assert.ok(vocab.stopIds.includes(walk.ids.at(-1)!), walk.text);
  }
});

test('a Qwen-style tool call embedding two functions\' argument schemas (GrammarBuilder.include)', async () => {
  const { vocab } = await qwen3Vocab();
  const tools = {
    get_weather: { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false },
    add: { type: 'object', properties: { a: { type: 'integer' }, b: { type: 'integer' } }, required: ['a', 'b'], additionalProperties: false },
  };
  const b = new GrammarBuilder();
  const calls = Object.entries(tools).map(([name, schema]) =>
    seq(lit(`{"name": ${JSON.stringify(name)}, "arguments": `), b.include(compileJsonSchema(schema), `${name}-`), lit('}')));
  b.define('root', seq(lit('<tool_call>\n'), alt(...calls), lit('\n</tool_call>')));
  const compiled = compileGrammar(b.build('root'));
  const seen = new Set<string>();
  for (let seed = 1; seed <= 8; seed++) {
    const walk = randomWalk(new GrammarMatcher(compiled, vocab), vocab, rng(300 + seed));
    const m = /^<tool_call>\n(.*)\n<\/tool_call>$/s.exec(walk.text);
    assert.ok(m && walk.terminated, walk.text);
    const call = JSON.parse(m[1]);
    seen.add(call.name);
    assert.equal(validate(call.arguments, tools[call.name as keyof typeof tools]), null, walk.text);
  }
  assert.equal(seen.size, 2, 'both tools chosen at some point');
});

test('accept() refuses a disallowed token and keeps its state', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const m = new GrammarMatcher(compileJsonSchema(SCHEMA), vocab);
  const mask = new Uint32Array(vocab.maskWords);
  m.fillMask(mask);
  const hello = tokenizer.encode('hello', { addSpecialTokens: false });
  assert.equal(hello.length, 1);
  assert.ok(!isAllowed(mask, hello[0]));
  assert.equal(m.accept(hello[0]), false);
  const open = tokenizer.encode('{"', { addSpecialTokens: false });
  assert.ok(open.every((id) => m.accept(id)), 'the state is unchanged: {" still fits');
  assert.equal(m.accept(tokenizer.encode('age', { addSpecialTokens: false })[0]), false, 'name comes first');
  for (const id of [vocab.stopIds[0], 151644 /* <|im_start|> */, 151700 /* a padding row */]) assert.equal(m.accept(id), false, `id ${id}`);
});

test('stop ids are allowed exactly when the grammar can end; nothing but them after the end', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const mask = new Uint32Array(vocab.maskWords);
  const m = new GrammarMatcher(parseGbnf('root ::= [0-9]+ ("." [0-9]+)?'), vocab);
  m.fillMask(mask);
  assert.ok(vocab.stopIds.every((id) => !isAllowed(mask, id)));
  assert.ok(m.accept(tokenizer.encode('7', { addSpecialTokens: false })[0]));
  m.fillMask(mask);
  assert.ok(vocab.stopIds.every((id) => isAllowed(mask, id)));
  assert.ok(m.canEnd() && !m.isTerminated());
  assert.ok(m.accept(vocab.stopIds[0]));
  assert.ok(m.isTerminated());
  m.fillMask(mask);
  assert.deepEqual(allowedIds(mask), vocab.stopIds);

  const j = new GrammarMatcher(jsonObjectGrammar(), vocab);
  for (const id of tokenizer.encode('{"a": [1]}', { addSpecialTokens: false })) assert.ok(j.accept(id));
  assert.ok(j.isTerminated(), 'a closed object cannot go on');
  j.fillMask(mask);
  assert.deepEqual(allowedIds(mask), vocab.stopIds);
});

test('the mask agrees with accept() for every token in several states', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const mask = new Uint32Array(vocab.maskWords);
  const compiled = compileGrammar(compileJsonSchema(SCHEMA));
  for (const prefix of ['', '{"name":"Jo', '{"name":"","age":1', '{"name":"a","age":12,"role":"user","address":{"city":"x","geo":[1.5,', '{"name":"\\']) {
    const m = new GrammarMatcher(compiled, vocab);
    assert.ok(m.acceptText(prefix), prefix);
    m.fillMask(mask);
    let allowed = 0;
    for (let id = 0; id < vocab.size; id++) {
      const ok = m.clone().accept(id);
      assert.equal(ok, isAllowed(mask, id), `${JSON.stringify(prefix)} + ${id} ${JSON.stringify(tokenizer.decode([id]))}`);
      if (ok) allowed++;
    }
    assert.ok(allowed > 0, prefix);
  }
});

test('byte tokens: a character split across tokens is allowed in strings and completed validly', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const mask = new Uint32Array(vocab.maskWords);
  // Byte-level BPE writes byte 0xE2 as "â" and 0x82 as "Ĥ", 0xAC as "¬" (GPT-2's byte map).
  const [e2, x82, xac] = ['â', 'Ĥ', '¬'].map((raw) => tokenizer.tokenToId(raw)!);
  assert.deepEqual([e2, x82, xac].map((id) => [...vocab.tokenBytes[id]!]), [[0xe2], [0x82], [0xac]]);
  const m = new GrammarMatcher(jsonObjectGrammar(), vocab);
  m.fillMask(mask);
  assert.ok(!isAllowed(mask, e2), 'not outside a string');
  assert.ok(m.acceptText('{"'));
  m.fillMask(mask);
  assert.ok(isAllowed(mask, e2), 'a lead byte inside a string');
  assert.ok(!isAllowed(mask, x82), 'a lone continuation byte never');
  assert.ok(m.accept(e2));
  m.fillMask(mask);
  assert.ok(isAllowed(mask, x82) && !isAllowed(mask, e2) && !allowedIds(mask).some((id) => vocab.tokenBytes[id]?.[0] === 0x22), 'only continuations');
  assert.ok(!m.canEnd());
  assert.ok(m.accept(x82) && m.accept(xac));
  assert.ok(m.acceptText('":1}'));
  assert.ok(m.isTerminated());
  // Overlong and surrogate encodings are refused: C0 80, ED A0 80.
  const bytes = (b: number) => tokenizer.tokenToId(byteLevelChar(b))!;
  const n = new GrammarMatcher(jsonObjectGrammar(), vocab);
  assert.ok(n.acceptText('{"'));
  assert.equal(n.clone().accept(bytes(0xc0)), false);
  assert.ok(n.accept(bytes(0xed)));
  assert.equal(n.accept(bytes(0xa0)), false);
});

/** GPT-2's printable stand-in for a byte. */
function byteLevelChar(b: number): string {
  const direct = (x: number) => (x >= 0x21 && x <= 0x7e) || (x >= 0xa1 && x <= 0xac) || (x >= 0xae && x <= 0xff);
  if (direct(b)) return String.fromCharCode(b);
  let n = 0;
  for (let x = 0; x < b; x++) if (!direct(x)) n++;
  return String.fromCharCode(256 + n);
}
