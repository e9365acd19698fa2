// Fixtures for the hub tests: two public repos and a private one on a fake hub, and
// HubDeps pointing at it with a fresh temporary cache.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createNodeHubStorage } from '../../../runtimes/node/hub-storage.ts';
import type { HubDeps, HubProgressEvent } from '../../../src/loader/hub/index.ts';
import { startFakeHub, type FakeHub, type FakeRepoSpec } from '../../helpers/fake-hub.ts';
import { rng } from '../../helpers/random.ts';

export function bytes(n: number, seed: number): Uint8Array {
  const r = rng(seed);
  return Uint8Array.from({ length: n }, () => (r() * 256) | 0);
}

export const GGUF_REPO = 'acme/Tiny-GGUF';
export const ST_REPO = 'acme/tiny-llm';
export const PRIVATE_REPO = 'acme/secret-GGUF';

export const repoSpecs = (): FakeRepoSpec[] => [
  {
    id: GGUF_REPO,
    files: {
      'README.md': '# Tiny GGUF\n',
      'Tiny-Q4_K_M.gguf': bytes(48_000, 1),
      'Tiny-Q4_K_S.gguf': bytes(4_000, 2),
      'Tiny-Q8_0.gguf': bytes(6_000, 3),
      'Tiny-UD-Q4_K_XL.gguf': bytes(3_000, 4),
      'mmproj-Tiny-F16.gguf': bytes(2_000, 5),
      'Q6_K/Tiny-Q6_K-00001-of-00002.gguf': bytes(5_000, 6),
      'Q6_K/Tiny-Q6_K-00002-of-00002.gguf': bytes(3_000, 7),
    },
  },
  {
    id: ST_REPO,
    files: {
      'README.md': '# tiny\n',
      'config.json': '{"model_type":"qwen3"}',
      'generation_config.json': '{"temperature":0.6}',
      'tokenizer.json': '{"model":{}}',
      'tokenizer_config.json': '{"eos_token":"<|im_end|>"}',
      'model.safetensors.index.json': JSON.stringify({ weight_map: { a: 'model-00001-of-00002.safetensors', b: 'model-00002-of-00002.safetensors' } }),
      'model-00001-of-00002.safetensors': bytes(7_000, 8),
      'model-00002-of-00002.safetensors': bytes(5_000, 9),
      'consolidated.safetensors': bytes(12_000, 10),
    },
  },
  { id: PRIVATE_REPO, private: true, files: { 'secret-Q4_K_M.gguf': bytes(3_000, 11) } },
];

export interface HubFixture {
  hub: FakeHub;
  cacheDir: string;
  events: HubProgressEvent[];
  deps(over?: Partial<HubDeps> & { token?: string; offline?: boolean }): HubDeps;
  /** Requests the fake hub saw since the last call. */
  takeRequests(): FakeHub['requests'];
  close(): Promise<void>;
}

export async function hubFixture(): Promise<HubFixture> {
  const hub = await startFakeHub(repoSpecs());
  const root = await mkdtemp(join(tmpdir(), 'basert-hub-'));
  const cacheDir = join(root, 'hub');
  const events: HubProgressEvent[] = [];
  return {
    hub,
    cacheDir,
    events,
    deps: ({ token, offline = false, ...over } = {}) => ({
      fetch: globalThis.fetch,
      storage: createNodeHubStorage(),
      env: { endpoint: hub.url, cacheDir, offline, ...(token ? { token } : {}) },
      onProgress: (e) => events.push(e),
      maxRetries: 0,
      retryDelayMs: 0,
      idleTimeoutMs: 2_000,
      ...over,
    }),
    takeRequests: () => hub.requests.splice(0),
    close: async () => {
      await hub.close();
      await rm(root, { recursive: true, force: true });
    },
  };
}
