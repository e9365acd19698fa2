import assert from 'node:assert/strict';
import { test } from 'node:test';
import { alt, CharMatcher, charSet, compileGrammar, compileJsonSchema, ConstraintError, GrammarBuilder, lit, parseGbnf, repeat, seq } from '../../src/constrain/index.ts';

test('char matcher: accept, clone, canEnd / isAccepting, canContinue', () => {
  const m = new CharMatcher(parseGbnf('root ::= "ab" "c"?'));
  assert.ok(!m.canEnd() && m.canContinue());
  assert.ok(m.accept('a'));
  assert.equal(m.accept('x'), false);
  assert.equal(m.accept('bx'), false, 'all or nothing');
  const fork = m.clone();
  assert.ok(m.accept('b'));
  assert.ok(m.canEnd() && m.isAccepting() && m.canContinue());
  assert.ok(m.accept('c'));
  assert.ok(m.canEnd() && !m.canContinue());
  assert.ok(!fork.canEnd() && fork.accept('bc'), 'the clone kept its own position');
});

test('char matcher: characters of every UTF-8 length; classes by code point', () => {
  const m = new CharMatcher(parseGbnf('root ::= [a-zé-ü]+ "€" [\\U0001F600-\\U0001F64F]'));
  assert.ok(m.clone().accept('aéü€😀'));
  assert.ok(!m.clone().accept('aÿ'));
  assert.ok(!m.clone().accept('a€🚀'));
});

test('ambiguous grammars keep every live alternative', () => {
  const b = new GrammarBuilder();
  b.define('root', alt(seq(lit('ab'), repeat(lit('c'), 0)), seq(repeat(charSet('a-c'), 1, 3), lit('!'))));
  const g = compileGrammar(b.build('root'));
  for (const [t, ok] of [['abccc', true], ['abc!', true], ['ab', true], ['abcc!', false], ['c!', true]] as const) {
    const m = new CharMatcher(g);
    assert.equal(m.accept(t) && m.canEnd(), ok, t);
  }
});

test('oversized repetitions are refused, not expanded', () => {
  assert.throws(() => compileGrammar(parseGbnf('root ::= "a"{1,5000000}')), (e: unknown) => e instanceof ConstraintError && /too large/.test(e.message));
  assert.throws(() => compileGrammar(compileJsonSchema({ type: 'string', maxLength: 3_000_000 })), ConstraintError);
});
