import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TokenizerLoadError } from '../../src/text/errors.ts';
import { supportedPreTokenizers } from '../../src/text/gguf-pre-tokenizers.ts';
import { tokenizerFromGguf } from '../../src/text/gguf-tokenizer.ts';
import { readGgufVocab } from '../../src/text/gguf-vocab.ts';
import { spmMetadata } from './spm-fixture.ts';

/** GPT-2's byte -> printable character map: a byte-level vocabulary of the 256 bytes. */
function byteChars(): string[] {
  const keep = (b: number) => (b >= 33 && b <= 126) || (b >= 161 && b <= 172) || (b >= 174 && b <= 255);
  const out: string[] = [];
  let n = 0;
  for (let b = 0; b < 256; b++) out[b] = String.fromCodePoint(keep(b) ? b : 256 + n++);
  return out;
}

const bytes = byteChars();
const gpt2 = (extra: Record<string, unknown> = {}) => ({
  'tokenizer.ggml.model': 'gpt2',
  'tokenizer.ggml.pre': 'gpt-2',
  'tokenizer.ggml.tokens': [...bytes, 'he', 'llo', 'hello', '<|end|>'],
  'tokenizer.ggml.token_type': [...bytes.map(() => 1), 1, 1, 1, 3],
  'tokenizer.ggml.merges': ['h e', 'l l', 'll o', 'he llo'],
  'tokenizer.ggml.eos_token_id': 259,
  ...extra,
});

test('every supported tokenizer.ggml.pre builds and round-trips text', () => {
  const text = 'Hello, World! 12345 你好 ひらがな 🤗\n\n\t x  y\r\n DON\'T it\'s';
  for (const pre of supportedPreTokenizers()) {
    const tok = tokenizerFromGguf(gpt2({ 'tokenizer.ggml.pre': pre }));
    assert.equal(tok.decode(tok.encode(text, { addSpecialTokens: false })), text, pre);
  }
  const tok = tokenizerFromGguf(gpt2({ 'tokenizer.ggml.pre': undefined })); // llama.cpp: "default"
  assert.deepEqual(tok.encode('hello<|end|>', { addSpecialTokens: false }), [258, 259]);
  assert.deepEqual(tok.special.stop, [259]);
});

test('pre-tokenizer splits: numbers per family, ignore_merges for llama-bpe', () => {
  const meta = (pre: string) => ({
    'tokenizer.ggml.model': 'gpt2',
    'tokenizer.ggml.pre': pre,
    'tokenizer.ggml.tokens': [...bytes, '12', '123', '34', '1234', 'abc'],
    'tokenizer.ggml.merges': ['1 2', '12 3', '3 4', '123 4'],
  });
  const pieces = (pre: string, text: string) => {
    const tok = tokenizerFromGguf(meta(pre));
    return tok.encode(text, { addSpecialTokens: false }).map((i) => tok.idToToken(i));
  };
  assert.deepEqual(pieces('gpt-2', '1234'), ['1234']);
  assert.deepEqual(pieces('llama-bpe', '1234'), ['123', '4']);
  assert.deepEqual(pieces('deepseek-v3', '1234'), ['123', '4']);
  assert.deepEqual(pieces('qwen2', '1234'), ['1', '2', '3', '4']);
  assert.deepEqual(pieces('starcoder', '1234'), ['1', '2', '3', '4']);
  assert.deepEqual(pieces('llama-bpe', 'abc'), ['abc']); // a word in the vocabulary is kept whole
  assert.deepEqual(pieces('qwen2', 'abc'), ['a', 'b', 'c']);
});

test('GGUF reader wrappers ({type, value}, {itemType, items}) and its Map are accepted', () => {
  const plain = gpt2();
  const wrapped: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(plain)) {
    wrapped[k] = Array.isArray(v) ? { type: 9, value: { itemType: 8, items: v } } : { type: 4, value: v };
  }
  const text = 'hello world<|end|>';
  assert.deepEqual(tokenizerFromGguf(wrapped).encode(text), tokenizerFromGguf(plain).encode(text));
  assert.equal(readGgufVocab(wrapped).eosId, 259);
  assert.deepEqual(tokenizerFromGguf(new Map(Object.entries(wrapped))).encode(text), tokenizerFromGguf(plain).encode(text));
});

test('BOS/EOS: family defaults, overridden by add_bos_token / add_eos_token', () => {
  const bos = { 'tokenizer.ggml.bos_token_id': 257 };
  assert.deepEqual(tokenizerFromGguf(gpt2(bos)).encode('he'), [256]); // gpt-2: no BOS
  assert.deepEqual(tokenizerFromGguf(gpt2({ ...bos, 'tokenizer.ggml.pre': 'llama-bpe' })).encode('he'), [257, 256]);
  assert.deepEqual(tokenizerFromGguf(gpt2({ 'tokenizer.ggml.pre': 'llama-bpe' })).encode('he'), [256]); // no BOS id
  const flipped = tokenizerFromGguf(gpt2({ ...bos, 'tokenizer.ggml.pre': 'llama-bpe', 'tokenizer.ggml.add_bos_token': false, 'tokenizer.ggml.add_eos_token': true }));
  assert.deepEqual(flipped.encode('he'), [256, 259]);
  assert.deepEqual(flipped.encode('he', { addSpecialTokens: false }), [256]);
  assert.deepEqual([flipped.addBos, flipped.addEos], [false, true]);
});

test('metadata values: bigint ids, out-of-range ids ignored, empty tokens renamed', () => {
  const v = readGgufVocab(gpt2({
    'tokenizer.ggml.bos_token_id': 2n, 'tokenizer.ggml.padding_token_id': 99999,
    'tokenizer.ggml.tokens': [...bytes.slice(0, 255), '', 'he', 'llo', 'hello', '<|end|>'],
  }));
  assert.equal(v.bosId, 2);
  assert.equal(v.padId, undefined);
  assert.equal(v.tokens[255], '[EMPTY_255]');
  assert.equal(v.model, 'gpt2');
  assert.equal(v.pre, 'gpt-2');
});

const bad: Record<string, [Record<string, unknown>, RegExp]> = {
  'no tokenizer keys at all': [{ 'general.architecture': 'llama' }, /no tokenizer in this file: key "tokenizer\.ggml\.model" is missing/],
  'unknown tokenizer.ggml.model': [gpt2({ 'tokenizer.ggml.model': 'bert' }), /unsupported tokenizer\.ggml\.model "bert" \(supported: "gpt2".*"llama"/],
  'no tokens': [gpt2({ 'tokenizer.ggml.tokens': undefined }), /key "tokenizer\.ggml\.tokens" is missing/],
  'tokens not a list': [gpt2({ 'tokenizer.ggml.tokens': 'abc' }), /tokenizer\.ggml\.tokens is not an array/],
  'gpt2 without merges': [gpt2({ 'tokenizer.ggml.merges': undefined }), /key "tokenizer\.ggml\.merges" is missing/],
  'short token_type': [gpt2({ 'tokenizer.ggml.token_type': [1, 1] }), /tokenizer\.ggml\.token_type has 2 entries for 260 tokens/],
  'unknown pre-tokenizer': [gpt2({ 'tokenizer.ggml.pre': 'kimi-k2' }), /unsupported tokenizer\.ggml\.pre "kimi-k2" \(supported: default, llama3, .*qwen2/],
  'duplicate token': [gpt2({ 'tokenizer.ggml.tokens': [...bytes, 'he', 'he', 'hello', '<|end|>'] }), /duplicate token "he" at ids 256 and 257/],
  'merge without a space': [gpt2({ 'tokenizer.ggml.merges': ['he'] }), /tokenizer\.ggml\.merges\[0\] "he" has no space/],
  'add_bos_token without a BOS id': [gpt2({ 'tokenizer.ggml.add_bos_token': true }), /add_bos_token is true but tokenizer\.ggml\.bos_token_id is not set/],
  'flag of the wrong type': [gpt2({ 'tokenizer.ggml.add_bos_token': 'yes' }), /tokenizer\.ggml\.add_bos_token is not a boolean/],
  'scores not numbers': [spmMetadata({ 'tokenizer.ggml.scores': ['x', ...new Array(400).fill(0)] }), /tokenizer\.ggml\.scores\[0\] is not a number/],
};

for (const [name, [meta, message]] of Object.entries(bad)) {
  test(`bad GGUF metadata: ${name}`, () => {
    assert.throws(() => tokenizerFromGguf(meta), (e: Error) =>
      e instanceof TokenizerLoadError && e.message.startsWith('GGUF metadata: ') && message.test(e.message));
  });
}
