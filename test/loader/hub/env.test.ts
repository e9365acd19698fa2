import assert from 'node:assert/strict';
import { test } from 'node:test';
import { blobLinkTarget, hubTokenPath, repoCacheDir, resolveHubEnv } from '../../../src/loader/hub/index.ts';

const HOME = '/home/u';

test('resolveHubEnv follows huggingface_hub: defaults and each variable', () => {
  assert.deepEqual(resolveHubEnv({}, HOME), { endpoint: 'https://huggingface.co', offline: false, cacheDir: '/home/u/.cache/huggingface/hub' });
  const cases: [Record<string, string>, Partial<ReturnType<typeof resolveHubEnv>>][] = [
    [{ XDG_CACHE_HOME: '/xdg' }, { cacheDir: '/xdg/huggingface/hub' }],
    [{ HF_HOME: '~/hf', XDG_CACHE_HOME: '/xdg' }, { cacheDir: '/home/u/hf/hub' }],
    [{ HF_HOME: '/hf', HUGGINGFACE_HUB_CACHE: '/legacy' }, { cacheDir: '/legacy' }],
    [{ HF_HUB_CACHE: '/new', HUGGINGFACE_HUB_CACHE: '/legacy' }, { cacheDir: '/new' }],
    [{ HF_ENDPOINT: 'http://127.0.0.1:9/' }, { endpoint: 'http://127.0.0.1:9' }],
    [{ HF_TOKEN: 'hf_a', HUGGING_FACE_HUB_TOKEN: 'hf_b' }, { token: 'hf_a' }],
    [{ HUGGING_FACE_HUB_TOKEN: 'hf_b' }, { token: 'hf_b' }],
    [{ HF_HUB_OFFLINE: '1' }, { offline: true }],
    [{ HF_HUB_OFFLINE: 'yes' }, { offline: true }],
    [{ HF_HUB_OFFLINE: '0' }, { offline: false }],
    [{ TRANSFORMERS_OFFLINE: 'TRUE' }, { offline: true }],
  ];
  for (const [vars, want] of cases) {
    const got = resolveHubEnv(vars, HOME);
    for (const [k, v] of Object.entries(want)) assert.equal(got[k as keyof typeof got], v, JSON.stringify(vars));
  }
});

test('the stored token is used when no variable sets one', () => {
  assert.equal(resolveHubEnv({}, HOME, 'hf_stored\n').token, 'hf_stored');
  assert.equal(resolveHubEnv({ HF_TOKEN: 'hf_env' }, HOME, 'hf_stored').token, 'hf_env');
  assert.equal(hubTokenPath({}, HOME), '/home/u/.cache/huggingface/token');
  assert.equal(hubTokenPath({ HF_HOME: '/hf' }, HOME), '/hf/token');
  assert.equal(hubTokenPath({ HF_TOKEN_PATH: '~/t' }, HOME), '/home/u/t');
});

test('cache layout names', () => {
  assert.equal(repoCacheDir('/c', 'Qwen/Qwen3-0.6B'), '/c/models--Qwen--Qwen3-0.6B');
  assert.equal(blobLinkTarget('model.gguf', 'abc'), '../../blobs/abc');
  assert.equal(blobLinkTarget('BF16/a/m.gguf', 'abc'), '../../../../blobs/abc');
});
