import assert from 'node:assert/strict';
import { test } from 'node:test';
import { JsonScanner, type JsonStep } from '../../../src/server/tools/json-scanner.ts';
import { rng } from '../../helpers/random.ts';

const VALID = [
  '{}', '[]', '""', '0', '-0', '12', '-3.25e+10', '1E-7', '0.5', 'true', 'false', 'null',
  '{"a": 1, "b": [true, false, null], "c": {"d": "e"}}',
  '{"q": "\\"quoted\\" \\\\ \\/ \\b\\f\\n\\r\\t \\u00e9\\uD83D\\uDE00 é 🌧"}',
  '[[[]], [{}], {"": ""}, -1.5, 0, 10e2]',
  ' \n\t{ "spaced" : [ 1 , 2 ] , "x" : { } } ',
  '{"a": {"b": {"c": [1, [2, [3, {"d": -0.0e-0}]]]}}}',
];

/** Feeds the whole text: every step but the last must be 'more'. */
function scan(text: string): { steps: JsonStep[]; scanner: JsonScanner } {
  const scanner = new JsonScanner();
  const steps = [...text].map((ch) => scanner.push(ch));
  return { steps, scanner };
}

function accepts(text: string): boolean {
  const { steps, scanner } = scan(text.replace(/[ \t\n\r]+$/, ''));
  return !steps.includes('error') && !steps.includes('done-before') && scanner.complete;
}

test('JsonScanner: valid documents are accepted character by character', () => {
  for (const doc of VALID) {
    const body = doc.replace(/[ \t\n\r]+$/, '');
    const { steps, scanner } = scan(body);
    assert.ok(steps.slice(0, -1).every((s) => s === 'more'), doc);
    assert.ok(scanner.complete, doc);
    if (/[}\]"el]$/.test(body)) assert.equal(steps[steps.length - 1], 'done', doc);
  }
});

test('JsonScanner: a top-level number ends before the next character', () => {
  const s = new JsonScanner();
  for (const ch of '-12.5') assert.equal(s.push(ch), 'more');
  assert.equal(s.complete, true);
  assert.equal(s.push(' '), 'done-before');
  assert.equal(s.done, true);
});

test('JsonScanner: errors are found at the first bad character', () => {
  const cases: [string, number][] = [
    ['{"a" 1}', 5], ['[1,]', 3], ['{"a":01}', 6], ['"a\\x"', 3], ['"tab\there"', 4], ['tru e', 3],
    ['{,}', 1], ['[1 2]', 3], ['{"a":1}}', 7], ['"\\u12G4"', 5], ['{"a":-}', 6], ['{"a":1.}', 7],
    ['{"a":1e}', 7], ['[}', 1], ['{]', 1], ['{"a":1]', 6], ["{'a': 1}", 1], ['{a: 1}', 1], ['nul', -1],
  ];
  for (const [text, at] of cases) {
    const { steps } = scan(text);
    assert.equal(steps.indexOf('error'), at, text);
  }
});

test('JsonScanner: every prefix of a valid document plus closer() parses', () => {
  for (const doc of VALID) {
    const cps = [...doc.trimStart()];
    for (let i = 1; i <= cps.length; i++) {
      const s = new JsonScanner();
      let prefix = '';
      for (const ch of cps.slice(0, i)) {
        if (s.done || s.push(ch) === 'done-before') break;
        prefix += ch;
      }
      const closed = prefix + s.closer();
      assert.doesNotThrow(() => JSON.parse(closed), `${JSON.stringify(prefix)} + ${JSON.stringify(s.closer())}`);
    }
  }
});

test('JsonScanner: closer() fills what a cut-off value needs', () => {
  const cases: Record<string, string> = {
    '{"a": "x': '"}', '{"a": "x\\': '\\"}', '{"a": "\\u00': '00"}', '{"a": -': '0}', '{"a": 1.': '0}', '{"a": 1e+': '0}',
    '{"a": t': 'rue}', '{"a":': 'null}', '{"a"': ':null}', '{"a": 1,': '"":null}', '{"a': '":null}', '[1, [': ']]', '[1,': 'null]',
    '{"a": 1': '}', '{': '}',
  };
  for (const [prefix, closer] of Object.entries(cases)) {
    const s = new JsonScanner();
    for (const ch of prefix) assert.notEqual(s.push(ch), 'error', prefix);
    assert.equal(s.closer(), closer, prefix);
  }
});

test('JsonScanner: accepts exactly what JSON.parse accepts (mutated documents)', () => {
  const rand = rng(7);
  const alphabet = '{}[]":,.-+eE0123456789 \\\nutrfalsnx\t';
  const docs = VALID.filter((d) => /^\s*[{[]/.test(d));
  let rejected = 0;
  for (let k = 0; k < 4000; k++) {
    let text = docs[Math.floor(rand() * docs.length)];
    for (let m = 1 + Math.floor(rand() * 2); m > 0; m--) {
      const at = Math.floor(rand() * (text.length + 1));
      const ch = alphabet[Math.floor(rand() * alphabet.length)];
      const op = rand();
      text = op < 0.33 ? text.slice(0, at) + ch + text.slice(at) : op < 0.66 ? text.slice(0, at) + text.slice(at + 1) : text.slice(0, at) + ch + text.slice(at + 1);
    }
    let ok = true;
    try {
      JSON.parse(text);
    } catch {
      ok = false;
      rejected++;
    }
    assert.equal(accepts(text), ok, JSON.stringify(text));
  }
  assert.ok(rejected > 1000, 'the mutations produce invalid documents too');
});
