// The GGUF path on a SentencePiece ("llama") vocabulary tokenizes as llama.cpp's SPM
// tokenizer: ▁ prefix, merges by score (leftmost on ties), <0xNN> byte fallback. Checked
// against a transcription of the algorithm and against llama.cpp itself.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import { bytesSource } from '../../src/loader/byte-source.ts';
import { readGguf } from '../../src/loader/gguf/index.ts';
import { chatTemplateFromGguf } from '../../src/text/chat-template.ts';
import { tokenizerFromGguf } from '../../src/text/gguf-tokenizer.ts';
import { llamaRef } from '../helpers/llama-ref.ts';
import { corpus } from './corpus.ts';
import { spmMetadata, spmReference } from './spm-fixture.ts';
import { writeVocabGguf } from './vocab-gguf.ts';

const meta = spmMetadata();
const tok = tokenizerFromGguf(meta);
const id = (t: string) => tok.tokenToId(t)!;
const byte = (b: number) => id(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`);

const known: Record<string, { text: string; pieces: string[] }> = {
  'space prefix and whole-word pieces': { text: 'Hello world', pieces: ['▁Hello', '▁world'] },
  'merges by score: "▁the" beats "he"': { text: 'the', pieces: ['▁the'] },
  'double space is "▁▁"': { text: 'Hello  world', pieces: ['▁Hello', '▁', '▁world'] },
  'CJK: the better-scoring "你好" wins over "▁你"': { text: '你好!', pieces: ['▁', '你好', '!'] },
  'unknown character falls back to bytes': { text: 'é', pieces: ['▁', '<0xC3>', '<0xA9>'] },
  'newline is a byte token': { text: 'a\nb', pieces: ['▁a', '<0x0A>', 'b'] },
  // "ea" and "ae" score the same; "ae" comes later in the vocabulary but is further left.
  'equal scores merge leftmost first': { text: 'daea', pieces: ['▁', 'd', 'ae', 'a'] },
  'user-defined token splits the text; each part gets the prefix': { text: 'is<tool>in', pieces: ['▁is', '<tool>', '▁in'] },
  'control token in text': { text: '<s>Hello', pieces: ['<s>', '▁Hello'] },
};

for (const [name, c] of Object.entries(known)) {
  test(`spm: ${name}`, () => {
    const ids = tok.encode(c.text, { addSpecialTokens: false });
    assert.deepEqual(ids.map((i) => tok.idToToken(i)), c.pieces);
    assert.deepEqual(ids, spmReference(meta, c.text));
  });
}

test('spm: agrees with the reference on random text', () => {
  const pool = ['a', 'e', 'h', 'l', 'o', 't', 'w', 'r', 'd', 'H', 'n', 'i', 's', ' ', ' ', '  ', '你', '好', '!', ',',
    '🤗', '\n', '\t', 'é', 'ß', '<tool>', '<s>', 'Hello', 'world', 'the', 'ea', 'aa'];
  let seed = 12345;
  const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
  for (let k = 0; k < 300; k++) {
    let text = '';
    for (let j = rand(12); j >= 0; j--) text += pool[rand(pool.length)];
    assert.deepEqual(tok.encode(text, { addSpecialTokens: false }), spmReference(meta, text), JSON.stringify(text));
  }
});

test('spm: llama.cpp tokenizes and detokenizes the same GGUF identically', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'basert-vocab-'));
  try {
    writeVocabGguf(join(dir, 'spm.gguf'), { ...meta, 'tokenizer.chat_template': '{{ messages[0].content }}' });
    const ref = await (await llamaRef()).loadModel({ modelPath: join(dir, 'spm.gguf'), vocabOnly: true } as { modelPath: string });
    const texts = { ...corpus, known: Object.values(known).map((c) => c.text).join('|'), ties: 'daea eae aea' };
    for (const [label, text] of Object.entries(texts)) {
      const ids = tok.encode(text, { addSpecialTokens: false });
      assert.deepEqual(ids, ref.tokenize(text, true), label);
      assert.equal(tok.decode(ids, { skipSpecialTokens: true }), ref.detokenize(ids, false), `${label} decode`);
    }
    assert.deepEqual([ref.tokens.bos, ref.tokens.eos], [1, 2]);
    await ref.dispose();
    // The same file through our GGUF reader: its metadata Map feeds the tokenizer directly.
    const file = await readGguf(bytesSource('spm.gguf', readFileSync(join(dir, 'spm.gguf'))));
    const fromFile = tokenizerFromGguf(file.metadata);
    assert.deepEqual(fromFile.encode(corpus.mixed), tok.encode(corpus.mixed));
    assert.equal(chatTemplateFromGguf(file.metadata), '{{ messages[0].content }}');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('spm: BOS by default (llama.cpp), EOS when asked', () => {
  assert.equal(tok.addBos, true);
  assert.deepEqual(tok.encode('the'), [1, id('▁the')]);
  assert.deepEqual(tok.special, { bos: 1, eos: 2, pad: null, unk: 0, stop: [2] });
  const both = tokenizerFromGguf(spmMetadata({ 'tokenizer.ggml.add_bos_token': false, 'tokenizer.ggml.add_eos_token': true }));
  assert.deepEqual(both.encode('the'), [id('▁the'), 2]);
});

test('spm: decode joins pieces, turns ▁ into spaces, drops the prefix space, reassembles bytes', () => {
  const text = 'Hello  world\n你好! é🤗';
  const ids = tok.encode(text);
  assert.equal(tok.decode(ids, { skipSpecialTokens: true }), text);
  assert.equal(tok.decode(ids), `<s> ${text}`);
  assert.equal(tok.decode([byte(0xf0), byte(0x9f), byte(0xa4), byte(0x97)]), '🤗');
  assert.equal(tok.decode([id('▁is'), id('<tool>'), id('▁in')]), 'is<tool> in');
  assert.ok(tok.isSpecial(1) && tok.isSpecial(0) && !tok.isSpecial(id('<tool>')));
});

test('spm: add_space_prefix=false', () => {
  const m = spmMetadata({ 'tokenizer.ggml.add_space_prefix': false });
  const t = tokenizerFromGguf(m);
  const ids = t.encode('Hello world', { addSpecialTokens: false });
  assert.deepEqual(ids.map((i) => t.idToToken(i)), ['H', 'e', 'llo', '▁world']);
  assert.deepEqual(ids, spmReference(m, 'Hello world', false));
  assert.equal(t.decode(ids), 'Hello world');
});
