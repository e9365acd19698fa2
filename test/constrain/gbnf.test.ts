import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConstraintError, matchesGrammar, parseGbnf } from '../../src/constrain/index.ts';

const ARITH = String.raw`
# integer arithmetic with parentheses
root   ::= expr
expr   ::= term (ws [-+] ws term)*
term   ::= factor (ws [*/] ws factor)*
factor ::= number | "(" ws expr ws ")"
number ::= "-"? [0-9]{1,4}
ws     ::= " "?
`;

test('gbnf: arithmetic grammar', () => {
  const g = parseGbnf(ARITH);
  for (const t of ['1', '1+2', '(1 + 2) * -3', '((7))/2-1', '1234']) assert.ok(matchesGrammar(g, t), t);
  for (const t of ['', '1+', '(1', '1  + 2', '12345', 'a', '1+2)']) assert.ok(!matchesGrammar(g, t), t);
});

test('gbnf: classes, negation, escapes, repetitions, any char, multi-line rules', () => {
  const g = parseGbnf(String.raw`root ::= greeting
    "\x21"{2,3} tail
greeting ::= ("hi" | "hello") [ \t]+ name
name ::= [A-Z] [a-z\-]{0,}
tail ::= [^\n\\]{,2} "\n" . "é" [\u00e0-\u00ff]? "\U0001F600"?
`);
  for (const t of ['hi Bob!!\nxé', 'hello\t Ann-marie!!! ?\n\néà😀']) assert.ok(matchesGrammar(g, t), JSON.stringify(t));
  for (const t of ['hi bob!!\nxé', 'hi Bob!\nxé', 'hi Bob!!abc\nxé', 'hi Bob!!\\\nxé', 'hi Bob!!!!!!\nxé']) assert.ok(!matchesGrammar(g, t), JSON.stringify(t));
});

test('gbnf: a named start rule; nullable loops do not hang', () => {
  const g = parseGbnf('start ::= ("a"? "b"?)* "c"\nother ::= "x"', 'start');
  for (const t of ['c', 'abc', 'bbac']) assert.ok(matchesGrammar(g, t), t);
  assert.ok(!matchesGrammar(g, 'ca'));
});

test('gbnf: syntax errors carry the position', () => {
  const cases: [string, number, RegExp][] = [
    ['root ::= "abc', 9, /unterminated string/],
    ['root ::= [a-', 9, /unterminated character class/],
    ['root ::= ("a" | "b"', 19, /expected "\)"/],
    ['root ::= "a"\nroot ::= "b"', 13, /defined twice/],
    ['root ::= item\n', 9, /undefined rule "item"/],
    ['root = "a"', 5, /expected "::="/],
    ['root ::= "a"{3,1}', 12, /out of order/],
    ['root ::= "\\q"', 10, /bad escape/],
    ['main ::= "a"', 0, /no "root" rule/],
    ['root ::= "a" @', 13, /unexpected "@"/],
  ];
  for (const [text, position, message] of cases) {
    assert.throws(() => parseGbnf(text), (e: unknown) => {
      assert.ok(e instanceof ConstraintError, String(e));
      assert.equal(e.position, position, `${JSON.stringify(text)}: ${e.message}`);
      assert.match(e.message, message);
      assert.match(e.message, /line \d+, column \d+/);
      return true;
    });
  }
});

test('gbnf: left recursion is refused (it would grow the stack forever)', () => {
  assert.throws(() => matchesGrammar(parseGbnf('root ::= root "a" | "a"'), 'aa'), /left-recursive/);
  assert.throws(() => matchesGrammar(parseGbnf('root ::= x "a"\nx ::= "b"? root'), 'ba'), /left-recursive/);
});
