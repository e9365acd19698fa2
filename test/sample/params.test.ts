// Sampling params: OpenAI/vLLM defaults and ranges; errors name the offending field.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  DEFAULT_SAMPLING_PARAMS,
  isGreedy,
  resolveSamplingParams,
  SamplingParamError,
  seedWords,
} from '../../src/sample/params.ts';

function throwsParam(input: Record<string, unknown>, param: string, message: RegExp, vocabSize?: number) {
  assert.throws(
    () => resolveSamplingParams(input, { vocabSize }),
    (e: unknown) => e instanceof SamplingParamError && e.param === param && message.test(e.message),
    `${JSON.stringify(input)} should fail on ${param}`,
  );
}

test('defaults: temperature 1, every filter and penalty off; null means absent', () => {
  const p = resolveSamplingParams({});
  assert.deepEqual({ ...p, logit_bias: [...p.logit_bias] }, { ...DEFAULT_SAMPLING_PARAMS, logit_bias: [] });
  assert.equal(p.seed, undefined);
  const q = resolveSamplingParams({ temperature: null, top_p: null, seed: null, logit_bias: null, logprobs: null });
  assert.equal(q.temperature, 1);
  assert.equal(q.seed, undefined);
});

test('accepted edges of every range', () => {
  const p = resolveSamplingParams({
    temperature: 0, top_p: 1e-9, top_k: -1, min_p: 1, presence_penalty: -2, frequency_penalty: 2,
    repetition_penalty: 0.01, seed: -(2 ** 53 - 1), logit_bias: { '0': -100, '7': 100, '9': 0 }, logprobs: true, top_logprobs: 20,
  });
  assert.equal(p.top_k, 0, '-1 normalizes to 0 = off');
  assert.deepEqual([...p.logit_bias], [[0, -100], [7, 100]], 'zero biases dropped, keys numeric');
  assert.ok(isGreedy(p));
  assert.ok(isGreedy(resolveSamplingParams({ temperature: 1e-6 })));
  assert.ok(!isGreedy(resolveSamplingParams({ temperature: 1e-5 })));
  assert.equal(resolveSamplingParams({ top_k: 40 }).top_k, 40);
});

test('out-of-range values name the param', () => {
  throwsParam({ temperature: 2.5 }, 'temperature', /in \[0, 2\]/);
  throwsParam({ temperature: -0.1 }, 'temperature', /in \[0, 2\]/);
  throwsParam({ temperature: '1' }, 'temperature', /must be a number/);
  throwsParam({ top_p: 0 }, 'top_p', /\(0, 1\]/);
  throwsParam({ top_p: 1.01 }, 'top_p', /\(0, 1\]/);
  throwsParam({ top_k: -2 }, 'top_k', /-1 or 0/);
  throwsParam({ top_k: 2.5 }, 'top_k', /integer/);
  throwsParam({ min_p: 1.5 }, 'min_p', /\[0, 1\]/);
  throwsParam({ presence_penalty: 2.1 }, 'presence_penalty', /\[-2, 2\]/);
  throwsParam({ frequency_penalty: -3 }, 'frequency_penalty', /\[-2, 2\]/);
  throwsParam({ repetition_penalty: 0 }, 'repetition_penalty', /greater than 0/);
  throwsParam({ seed: 1.5 }, 'seed', /integer/);
  throwsParam({ seed: 2 ** 60 }, 'seed', /safe integer/);
  throwsParam({ logprobs: 'yes' }, 'logprobs', /boolean/);
  throwsParam({ top_logprobs: 21, logprobs: true }, 'top_logprobs', /\[0, 20\]/);
  throwsParam({ top_logprobs: 2 }, 'top_logprobs', /needs logprobs/);
  throwsParam({ logit_bias: [1, 2] }, 'logit_bias', /object/);
  throwsParam({ logit_bias: { abc: 1 } }, 'logit_bias', /token ids/);
  throwsParam({ logit_bias: { '-1': 1 } }, 'logit_bias', /token ids/);
  throwsParam({ logit_bias: { 5: 101 } }, 'logit_bias', /\[-100, 100\]/);
  throwsParam({ logit_bias: { 5: 'x' } }, 'logit_bias', /\[-100, 100\]/);
  throwsParam({ logit_bias: { 1000: 1 } }, 'logit_bias', /below the vocabulary size 1000/, 1000);
});

test('seedWords: a 64-bit two\'s complement split into u32 words', () => {
  assert.deepEqual(seedWords(0), [0, 0]);
  assert.deepEqual(seedWords(2 ** 32 + 5), [5, 1]);
  assert.deepEqual(seedWords(-1), [0xffffffff, 0xffffffff]);
  assert.deepEqual(seedWords(Number.MAX_SAFE_INTEGER), [0xffffffff, 0x1fffff]);
  assert.throws(() => seedWords(0.5));
});
