import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatHubId, isHubError, isHubId, parseHubId } from '../../../src/loader/hub/index.ts';

const parses: Record<string, ReturnType<typeof parseHubId>> = {
  'Qwen/Qwen3-0.6B': { repo: 'Qwen/Qwen3-0.6B', revision: 'main' },
  'unsloth/Qwen3-0.6B-GGUF:Q4_K_M': { repo: 'unsloth/Qwen3-0.6B-GGUF', revision: 'main', quant: 'Q4_K_M' },
  'unsloth/Qwen3-0.6B-GGUF:q8_0@v2': { repo: 'unsloth/Qwen3-0.6B-GGUF', revision: 'v2', quant: 'q8_0' },
  'org/m@refs/pr/1:Q4_0': { repo: 'org/m', revision: 'refs/pr/1', quant: 'Q4_0' },
  'org/m:BF16/m-BF16-00001-of-00002.gguf': { repo: 'org/m', revision: 'main', quant: 'BF16/m-BF16-00001-of-00002.gguf' },
  'a/b_c.d': { repo: 'a/b_c.d', revision: 'main' },
};

test('parseHubId: org/name, :QUANT and @revision in either order', () => {
  for (const [spec, want] of Object.entries(parses)) {
    assert.deepEqual(parseHubId(spec), want, spec);
  }
  assert.equal(formatHubId(parseHubId('org/m:Q4_0@dev')), 'org/m:Q4_0@dev');
  assert.equal(formatHubId(parseHubId('org/m@main')), 'org/m');
});

test('parseHubId rejects what the hub would not accept', () => {
  for (const bad of ['Qwen', 'a/b/c', 'a/b:', 'a/b:Q4:Q8', 'a/b@x@y', 'a--x/b', 'a/b..c', '-a/b', 'a/b-', 'a /b', '/b', 'a/']) {
    assert.throws(() => parseHubId(bad), (e) => isHubError(e, 'bad-id') && e.message.startsWith(`${bad}: not a hub model id`), bad);
  }
});

test('isHubId: false for anything shaped like a path', () => {
  const cases: Record<string, boolean> = {
    'Qwen/Qwen3-0.6B': true,
    'unsloth/Qwen3-0.6B-GGUF:Q4_K_M': true,
    './models/qwen': false,
    '../qwen/x': false,
    '/models/qwen': false,
    '~/models/x': false,
    'C:/models/x': false,
    'models\\qwen': false,
    'models/qwen.gguf': false,
    'qwen.gguf': false,
    'dir/model.safetensors': false,
    'just-a-name': false,
  };
  for (const [spec, want] of Object.entries(cases)) assert.equal(isHubId(spec), want, spec);
});
