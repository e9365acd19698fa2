// What the engine relies on from src/constrain beyond the core: with a token budget
// (max_tokens), GrammarMatcher.fillMask keeps the output completable, so a choice that runs
// out of tokens still ends on a complete sentence (completion-budget.ts); and textUntil,
// the "free text until a marker" grammar behind tool_choice "auto" and reasoning. CPU only,
// the real Qwen3 vocabulary.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { budgetFor, compileGrammar, compileJsonSchema, GrammarBuilder, GrammarMatcher, jsonObjectGrammar, lit, matchesGrammar, parseGbnf, textUntil, type CompiledGrammar, type TokenVocab } from '../../src/constrain/index.ts';
import { allowedIds, qwen3Vocab } from '../constrain/helpers.ts';
import { validate } from '../constrain/validate.ts';
import { rng } from '../helpers/random.ts';

const SCHEMA = {
  type: 'object',
  properties: {
    title: { type: 'string' },
    n: { type: 'integer' },
    items: { type: 'array', items: { type: 'object', properties: { k: { type: 'string' }, v: { type: 'number' } }, required: ['k', 'v'], additionalProperties: false } },
    deep: { type: 'object', properties: { a: { type: 'object', properties: { b: { type: 'string' } }, required: ['b'] } }, required: ['a'] },
  },
  required: ['title', 'n', 'items', 'deep'],
  additionalProperties: false,
};

/** Uniform random allowed tokens with the budget; the text, tokens used and how it ended. */
function run(g: CompiledGrammar, vocab: TokenVocab, budget: number, seed: number) {
  const m = new GrammarMatcher(g, vocab);
  const mask = new Uint32Array(vocab.maskWords);
  const random = rng(seed);
  const bytes: number[] = [];
  let used = 0;
  while (used < budget && !m.isTerminated()) {
    m.fillMask(mask, budget - used);
    const ids = allowedIds(mask);
    const id = ids[Math.floor(random() * ids.length)];
    assert.ok(m.accept(id));
    used++;
    bytes.push(...(vocab.tokenBytes[id] ?? []));
  }
  return { text: new TextDecoder().decode(Uint8Array.from(bytes)), used, complete: m.isTerminated() || m.canEnd(), closed: m.closedByBudget };
}

test('any budget at least the shortest completion ends on a complete, valid sentence', async () => {
  const { vocab } = await qwen3Vocab();
  const g = compileGrammar(compileJsonSchema(SCHEMA));
  const least = budgetFor(g, vocab).distance(g.initial);
  assert.ok(least > 5 && least < 40, `shortest completion: ${least} tokens`);
  for (const budget of [least, least + 1, least + 7, 40, 64, 100]) {
    for (let seed = 1; seed <= 4; seed++) {
      const r = run(g, vocab, budget, budget * 10 + seed);
      assert.ok(r.complete && r.used <= budget, `budget ${budget}: ${r.text}`);
      assert.equal(validate(JSON.parse(r.text), SCHEMA), null, r.text);
      // Random tokens hardly ever close a string by themselves: a tight budget did.
      if (budget <= least + 7) assert.ok(r.closed, `budget ${budget}: closed by the budget`);
    }
  }
});

test('closedByBudget stays false when the output ends well within the budget', async () => {
  const { vocab } = await qwen3Vocab();
  for (const g of [parseGbnf('root ::= "yes" | "no" | "maybe"'), jsonObjectGrammar()]) {
    const c = compileGrammar(g);
    for (let seed = 1; seed <= 4; seed++) {
      const r = run(c, vocab, 200, seed);
      if (r.used < 50) assert.equal(r.closed, false, r.text);
    }
  }
  const yn = run(compileGrammar(parseGbnf('root ::= "yes" | "no"')), vocab, 50, 3);
  assert.ok(['yes', 'no'].includes(yn.text) && !yn.closed);
});

test('distance: tokens to finish, shrinking along the way', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const g = compileGrammar(compileJsonSchema({ type: 'object', properties: { s: { type: 'string' } }, required: ['s'], additionalProperties: false }));
  const b = budgetFor(g, vocab);
  const m = new GrammarMatcher(g, vocab);
  const last = b.distance(g.initial);
  assert.equal(Number.isFinite(last), true);
  for (const piece of ['{"', 's', '":', ' "', 'hello', ' world']) {
    for (const id of tokenizer.encode(piece, { addSpecialTokens: false })) assert.ok(m.accept(id), piece);
  }
  // Inside the string: '"}' (one or two tokens) is all that is left.
  const inString = b.distance(m.state);
  assert.ok(inString >= 1 && inString <= 2 && inString < last, `${inString} (from ${last} at the start)`);
  assert.ok(m.acceptText('"}') && m.isTerminated());
  assert.equal(b.distance(m.state), 0);
});

test('textUntil: any text without the marker, then the marker and what must follow', () => {
  const b = new GrammarBuilder();
  // A marker that overlaps itself ("abab" inside "ababab") exercises the failure links.
  b.define('root', textUntil(b, 'abab', lit('!'), { mayEnd: true }));
  const g = compileGrammar(b.build('root'));
  const yes = ['', 'aba', 'abaab', 'xx abab!', 'aabab!', 'abaabab!', 'ab ab abab!'];
  const no = ['abab', 'ababab!', 'abab!x', 'xabab', 'abab?'];
  for (const t of yes) assert.ok(matchesGrammar(g, t), JSON.stringify(t));
  for (const t of no) assert.ok(!matchesGrammar(g, t), JSON.stringify(t));
  const must = new GrammarBuilder();
  must.define('root', textUntil(must, '</think>', lit('{}'), { mayEnd: false }));
  const m = compileGrammar(must.build('root'));
  assert.ok(!matchesGrammar(m, 'thinking'));
  assert.ok(matchesGrammar(m, 'a < b </thin </think>{}'));
  assert.throws(() => textUntil(new GrammarBuilder(), '', lit('x'), { mayEnd: true }), /must not be empty/);
});
