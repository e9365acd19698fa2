import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compileJsonSchema, GrammarMatcher, parseGbnf, tokenBytesOf, TokenVocab, type TokenizerView } from '../../src/constrain/index.ts';
import { rng } from '../helpers/random.ts';
import { allowedIds, qwen3Vocab } from './helpers.ts';

const enc = (s: string) => new TextEncoder().encode(s);

test('trie: preorder layout, shared prefixes, duplicates and skipped ids', () => {
  const texts: (string | Uint8Array | null)[] = ['ab', 'a', 'abc', 'b', 'ab', '', null, Uint8Array.of(0xe2, 0x82), 'stop'];
  const v = new TokenVocab({ size: 12, tokenContent: (id) => texts[id], stopIds: [8, 99] });
  assert.equal(v.maskWords, 1);
  assert.deepEqual(v.stopIds, [8], 'out-of-range stop ids dropped');
  assert.equal(v.tokenBytes[5], null, 'empty token never allowed');
  assert.equal(v.tokenBytes[8], null, 'stop ids are not text');
  // Nodes: a, ab, abc, b, 0xe2, 0x82 -> 6 nodes in byte order.
  assert.deepEqual([...v.nodeByte], [0x61, 0x62, 0x63, 0x62, 0xe2, 0x82]);
  assert.deepEqual([...v.nodeDepth], [1, 2, 3, 1, 1, 2]);
  assert.deepEqual([...v.nodeSkip], [3, 3, 3, 4, 6, 6]);
  const at = (i: number) => [...v.tokens.subarray(v.nodeTokens[i], v.nodeTokens[i + 1])];
  assert.deepEqual([0, 1, 2, 3, 4, 5].map(at), [[1], [0, 4], [2], [3], [], [7]]);
});

test('masks from the trie walk equal checking every token alone (random vocabularies)', () => {
  const grammar = compileJsonSchema({ type: 'object', properties: { s: { type: 'string' }, n: { type: 'array', items: { type: 'integer' } } }, required: ['s', 'n'] });
  const random = rng(5);
  const alphabet = ['{', '}', '"', 's', 'n', ':', ',', '[', ']', '1', '0', '-', ' ', 'é', '\\', 'x'];
  const texts: Uint8Array[] = [];
  for (let i = 0; i < 3000; i++) {
    const s = Array.from({ length: 1 + Math.floor(random() * 4) }, () => alphabet[Math.floor(random() * alphabet.length)]).join('');
    let b = enc(s);
    if (random() < 0.1) b = b.slice(0, Math.max(1, b.length - 1)); // may cut "é" in half
    texts.push(b);
  }
  const v = new TokenVocab({ size: texts.length + 1, tokenContent: (id) => texts[id] ?? null, stopIds: [texts.length] });
  const mask = new Uint32Array(v.maskWords);
  for (let walk = 0; walk < 20; walk++) {
    const m = new GrammarMatcher(grammar, v);
    for (let step = 0; step < 30 && !m.isTerminated(); step++) {
      m.fillMask(mask);
      const allowed = allowedIds(mask);
      const brute: number[] = [];
      for (let id = 0; id <= texts.length; id++) if (m.clone().accept(id)) brute.push(id);
      assert.deepEqual(allowed, brute);
      if (allowed.length === 0) break;
      assert.ok(m.accept(allowed[Math.floor(random() * allowed.length)]));
    }
  }
});

test('tokenBytesOf: Qwen3 token bytes match what decode() prints', async () => {
  const { tokenizer } = await qwen3Vocab();
  const bytesOf = tokenBytesOf(tokenizer);
  // ignoreBOM: keep a leading U+FEFF (some tokens are one) instead of eating it.
  const dec = new TextDecoder('utf-8', { ignoreBOM: true });
  let partial = 0;
  for (let id = 0; id < tokenizer.vocabSize; id++) {
    const b = bytesOf(id);
    if (tokenizer.isSpecial(id)) { assert.equal(b, null); continue; }
    assert.ok(b && b.length > 0, `id ${id}`);
    const text = tokenizer.decode([id]);
    if (text.includes('\uFFFD')) { partial++; continue; }
    assert.equal(dec.decode(b), text, `id ${id}`);
  }
  assert.ok(partial > 1000, `byte-level tokens holding part of a character: ${partial}`);
  assert.deepEqual([...bytesOf(tokenizer.tokenToId('<tool_call>')!)!], [...enc('<tool_call>')], 'added non-special tokens are their text');
});

test('tokenBytesOf: SentencePiece pieces and byte fallback', () => {
  const pieces = ['<unk>', '<s>', '▁hello', '<0x0A>', '<0xE2>', 'wor▁ld', '<tool>'];
  const view: TokenizerView = {
    vocabSize: pieces.length,
    idToToken: (id) => pieces[id],
    isSpecial: (id) => id < 2,
    addedTokens: [{ id: 6, content: '<tool>', special: false }],
  };
  const bytesOf = tokenBytesOf(view);
  assert.deepEqual(pieces.map((_, id) => bytesOf(id) && [...bytesOf(id)!]), [
    null, null, [...enc(' hello')], [0x0a], [0xe2], [...enc('wor ld')], [...enc('<tool>')],
  ]);
});

test('states repeat: a long string does not grow the automaton', async () => {
  const { tokenizer, vocab } = await qwen3Vocab();
  const m = new GrammarMatcher(parseGbnf('root ::= "\\"" [^"]* "\\""'), vocab);
  const ids = tokenizer.encode('"' + 'The quick brown fox jumps over the lazy dog, déjà vu 😀. '.repeat(40), { addSpecialTokens: false });
  const mask = new Uint32Array(vocab.maskWords);
  let statesAfterWarmup = 0;
  ids.forEach((id, i) => {
    m.fillMask(mask);
    assert.ok(m.accept(id));
    if (i === 40) statesAfterWarmup = m.compiled.numStates;
  });
  assert.ok(ids.length > 400);
  assert.equal(m.compiled.numStates, statesAfterWarmup);
});
