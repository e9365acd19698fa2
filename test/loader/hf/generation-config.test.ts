// generation_config.json → GenerationDefaults: only what the file states.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseGenerationConfig } from '../../../src/loader/hf/index.ts';
import { LoaderError } from '../../../src/loader/loader-error.ts';
import type { GenerationDefaults } from '../../../src/loader/model-config.ts';
import { LLAMA32_1B_GENERATION, MISTRAL_7B_GENERATION, QWEN25_05B_GENERATION, QWEN3_06B_GENERATION } from './configs.ts';

const CASES: Record<string, [string, GenerationDefaults]> = {
  'Qwen2.5-0.5B-Instruct': [QWEN25_05B_GENERATION, {
    doSample: true, temperature: 0.7, topP: 0.8, topK: 20, repetitionPenalty: 1.1,
    bosTokenId: 151643, eosTokenIds: [151645, 151643], padTokenId: 151643,
  }],
  'Qwen3-0.6B': [QWEN3_06B_GENERATION, {
    doSample: true, temperature: 0.6, topP: 0.95, topK: 20, bosTokenId: 151643, eosTokenIds: [151645, 151643], padTokenId: 151643,
  }],
  'Llama-3.2-1B-Instruct': [LLAMA32_1B_GENERATION, { doSample: true, temperature: 0.6, topP: 0.9, bosTokenId: 128000, eosTokenIds: [128001, 128008, 128009] }],
  'Mistral-7B-v0.1': [MISTRAL_7B_GENERATION, { bosTokenId: 1, eosTokenIds: [2] }],
  'greedy with limits': ['{"do_sample": false, "max_new_tokens": 256, "max_length": 4096, "min_p": 0.05, "temperature": null}', {
    doSample: false, maxNewTokens: 256, maxLength: 4096, minP: 0.05,
  }],
  'empty': ['{}', {}],
};

for (const [name, [text, expected]] of Object.entries(CASES)) {
  test(`generation_config.json of ${name}`, () => {
    assert.deepEqual(parseGenerationConfig('generation_config.json', text), expected);
  });
}

const BAD: Record<string, [string, RegExp]> = {
  'negative temperature': ['{"temperature": -1}', /"temperature" must be at least 0, got -1/],
  'top_p above 1': ['{"top_p": 1.5}', /"top_p" must be in \(0, 1\], got 1.5/],
  'top_k fractional': ['{"top_k": 2.5}', /"top_k" must be a non-negative integer/],
  'repetition_penalty zero': ['{"repetition_penalty": 0}', /"repetition_penalty" must be positive/],
  'do_sample a string': ['{"do_sample": "yes"}', /"do_sample" must be true or false/],
  'eos a string': ['{"eos_token_id": "</s>"}', /"eos_token_id" must be a token id/],
  'not JSON': ['{', /not valid JSON/],
};

for (const [name, [text, re]] of Object.entries(BAD)) {
  test(`bad generation_config.json: ${name}`, () => {
    assert.throws(() => parseGenerationConfig('m/generation_config.json', text), (e: unknown) =>
      e instanceof LoaderError && e.code === 'bad-config' && e.message.startsWith('m/generation_config.json: ') && re.test(e.message));
  });
}
