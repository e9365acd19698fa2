import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ggufUnits, isHubError, pickGguf, planSafetensors, selectGguf, shardsFromIndex } from '../../../src/loader/hub/index.ts';

const REPO = [
  'README.md',
  'Qwen3-8B-Q4_K_M.gguf',
  'Qwen3-8B-Q4_K_S.gguf',
  'Qwen3-8B-UD-Q4_K_XL.gguf',
  'Qwen3-8B-Q4_K.gguf',
  'Qwen3-8B-Q8_0.gguf',
  'Qwen3-8B-IQ4_XS.gguf',
  'mmproj-F16.gguf',
  'BF16/Qwen3-8B-BF16-00001-of-00002.gguf',
  'BF16/Qwen3-8B-BF16-00002-of-00002.gguf',
  'Q6_K/Qwen3-8B-Q6_K-00001-of-00003.gguf', // part 2 missing: not loadable
  'Q6_K/Qwen3-8B-Q6_K-00003-of-00003.gguf',
  'Qwen3-8B-Q5_K_M-00001-of-00002.gguf',
  'Qwen3-8B-Q5_K_M-00002-of-00002.gguf',
  'Qwen3-8B-Q5_K_M.gguf',
];

const picks: Record<string, string[]> = {
  '(none)': ['Qwen3-8B-Q4_K_M.gguf'],
  Q4_K_M: ['Qwen3-8B-Q4_K_M.gguf'],
  q4_k_m: ['Qwen3-8B-Q4_K_M.gguf'],
  Q4_K: ['Qwen3-8B-Q4_K.gguf'], // a whole token: not Q4_K_M / Q4_K_S
  Q4_K_XL: ['Qwen3-8B-UD-Q4_K_XL.gguf'],
  'UD-Q4_K_XL': ['Qwen3-8B-UD-Q4_K_XL.gguf'],
  IQ4_XS: ['Qwen3-8B-IQ4_XS.gguf'],
  Q8_0: ['Qwen3-8B-Q8_0.gguf'],
  bf16: ['BF16/Qwen3-8B-BF16-00001-of-00002.gguf', 'BF16/Qwen3-8B-BF16-00002-of-00002.gguf'],
  Q5_K_M: ['Qwen3-8B-Q5_K_M.gguf'], // the single file before the split set
  'Qwen3-8B-Q8_0.gguf': ['Qwen3-8B-Q8_0.gguf'],
  'Qwen3-8B-BF16-00002-of-00002.gguf': ['BF16/Qwen3-8B-BF16-00001-of-00002.gguf', 'BF16/Qwen3-8B-BF16-00002-of-00002.gguf'],
  XS: ['Qwen3-8B-IQ4_XS.gguf'], // no whole-token match: falls back to a substring
};

test('selectGguf: quant tags, defaults, split sets', () => {
  for (const [quant, want] of Object.entries(picks)) {
    assert.deepEqual(selectGguf('o/r', REPO, quant === '(none)' ? undefined : quant).files, want, quant);
  }
});

test('selectGguf: default falls back to Q8_0, then the first file by name', () => {
  assert.deepEqual(selectGguf('o/r', ['m-Q2_K.gguf', 'm-Q8_0.gguf', 'm-F16.gguf'], undefined).files, ['m-Q8_0.gguf']);
  assert.deepEqual(selectGguf('o/r', ['m-Q2_K.gguf', 'm-F16.gguf', 'mmproj-a.gguf'], undefined).files, ['m-F16.gguf']);
});

test('selectGguf: what cannot be loaded is an error that says why', () => {
  const fails: [string[], string | undefined, RegExp][] = [
    [REPO, 'Q6_K', /^o\/r: no GGUF file matches "Q6_K"; the repository has: /],
    [['README.md', 'mmproj-F16.gguf'], undefined, /no \.gguf model files/],
    [['a-00001-of-00002.gguf'], 'Q4_0', /split \.gguf sets are missing parts/],
  ];
  for (const [paths, quant, message] of fails) {
    assert.throws(() => selectGguf('o/r', paths, quant), (e) => isHubError(e, 'no-match') && message.test(e.message));
  }
});

test('ggufUnits / pickGguf keep split sets whole', () => {
  const units = ggufUnits(['x-00002-of-00002.gguf', 'x-00001-of-00002.gguf', 'y.gguf']);
  assert.deepEqual(units, [
    { label: 'y.gguf', files: ['y.gguf'] },
    { label: 'x-00001-of-00002.gguf', files: ['x-00001-of-00002.gguf', 'x-00002-of-00002.gguf'] },
  ]);
  assert.equal(pickGguf(units, 'Q4_K_M'), undefined);
});

test('planSafetensors: configs present, then the index, model.safetensors or all shards', () => {
  const meta = ['config.json', 'tokenizer.json', 'tokenizer_config.json'];
  assert.deepEqual(planSafetensors('o/r', [...meta, 'model.safetensors.index.json', 'model-1.safetensors', 'consolidated.safetensors']), {
    meta,
    index: 'model.safetensors.index.json',
  });
  assert.deepEqual(planSafetensors('o/r', [...meta, 'model.safetensors', 'x.safetensors']), { meta, weights: ['model.safetensors'] });
  assert.deepEqual(planSafetensors('o/r', ['config.json', 'b.safetensors', 'a.safetensors', 'onnx/c.safetensors']), {
    meta: ['config.json'],
    weights: ['a.safetensors', 'b.safetensors'],
  });
  assert.throws(() => planSafetensors('o/r', ['README.md']), (e) => isHubError(e, 'no-match') && /no config\.json/.test(e.message));
  assert.throws(() => planSafetensors('o/r', ['config.json']), /config\.json but no \.safetensors weights/);
});

test('shardsFromIndex: unique shards in order, and the ones missing', () => {
  const index = JSON.stringify({ metadata: {}, weight_map: { a: 'm-2.safetensors', b: 'm-1.safetensors', c: 'm-2.safetensors' } });
  assert.deepEqual(shardsFromIndex('o/r', index, ['m-1.safetensors']), { shards: ['m-1.safetensors', 'm-2.safetensors'], missing: ['m-2.safetensors'] });
  assert.throws(() => shardsFromIndex('o/r', '{', []), (e) => isHubError(e) && /^o\/r\/model\.safetensors\.index\.json: not valid JSON/.test(e.message));
  assert.throws(() => shardsFromIndex('o/r', '{"weight_map":{"a":1}}', []), /no weight_map/);
});
