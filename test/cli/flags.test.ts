import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHelp, parseFlags, UsageError, type FlagSpec } from '../../src/cli/flags.ts';

const specs: FlagSpec[] = [
  { name: 'port', type: 'number', default: 8080, help: 'Bind port.' },
  { name: 'model', type: 'string', repeatable: true, metavar: 'path', help: 'Model file or hub id.' },
  { name: 'json', type: 'boolean', help: 'JSON output.' },
];

test('flags: defaults, values, repeats, booleans, positionals', () => {
  const { values, positionals } = parseFlags(['--model', 'a', 'x', '--model=b', '--port=9000', '--json'], specs);
  assert.deepEqual(values, { port: 9000, model: ['a', 'b'], json: true });
  assert.deepEqual(positionals, ['x']);
  assert.equal(parseFlags([], specs).values.port, 8080);
  assert.equal(parseFlags(['--no-json'], specs).values.json, false);
});

test('flags: clear usage errors', () => {
  assert.throws(() => parseFlags(['--nope'], specs), (e: Error) => e instanceof UsageError && /unknown flag --nope/.test(e.message));
  assert.throws(() => parseFlags(['--port', 'abc'], specs), /expects a number/);
  assert.throws(() => parseFlags(['--model'], specs), /needs a value/);
});

test('flags: help lists every flag with its default', () => {
  const help = formatHelp('x', 'summary', specs);
  for (const s of specs) assert.match(help, new RegExp(`--${s.name}`));
  assert.match(help, /default: 8080/);
  assert.match(help, /repeatable/);
});
