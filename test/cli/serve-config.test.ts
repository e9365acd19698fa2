// `basert serve` settings: the TOML of seed 004, flags over the file over the defaults,
// errors that name the setting, --help documenting every flag.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { UsageError } from '../../src/cli/flags.ts';
import { parseAddress, parseConfigFile, parseServeFlags, resolveServeConfig, SERVE_FLAGS, SERVE_HELP } from '../../src/cli/serve-config.ts';
import { modelIdFor, parseKeyFile } from '../../src/cli/serve.ts';

const SEED_004 = `
[api]
enabled = true
address = "0.0.0.0:9090"
api_key = "sk-your-secret-key"
require_auth = true
max_requests_per_minute = 60
max_tokens_per_minute = 100000
cors_enabled = true
cors_origins = ["http://localhost:3000"]
max_context = 2048

[api.models]
[api.models.my-chat-model]
path = "/models/chat-model-v1"
type = "chat"
context_length = 4096
default_temperature = 0.7

[api.models.my-embedding-model]
path = "/models/embedding-model-v1"
type = "embedding"
`;

test('serve config: seed 004 file, flags override, defaults fill', () => {
  const file = parseConfigFile(SEED_004);
  const cfg = resolveServeConfig(parseServeFlags(['--port', '8000', '--model', 'a.gguf', '--api-key', 'k2', '--continuous-batching']), file);
  assert.equal(cfg.host, '0.0.0.0');
  assert.equal(cfg.port, 8000, 'the flag wins');
  assert.deepEqual(cfg.apiKeys, ['k2'], 'flag keys replace the file key');
  assert.equal(cfg.requireAuth, true);
  assert.equal(cfg.rateLimit, 60);
  assert.equal(cfg.rateLimitTokens, 100000);
  assert.deepEqual(cfg.corsOrigins, ['http://localhost:3000']);
  assert.equal(cfg.maxContext, 2048, 'any flag can be written under [api]');
  assert.equal(cfg.maxTokens, 2048, 'default');
  assert.equal(cfg.continuousBatching, 8, 'bare --continuous-batching');
  assert.equal(cfg.drainTimeoutSec, 60);
  assert.deepEqual(cfg.models, [
    { source: 'a.gguf', type: 'chat', preload: true },
    { source: '/models/chat-model-v1', id: 'my-chat-model', type: 'chat', preload: false, contextLength: 4096, defaultTemperature: 0.7 },
    { source: '/models/embedding-model-v1', id: 'my-embedding-model', type: 'embedding', preload: false },
  ]);
  const plain = resolveServeConfig(parseServeFlags(['--continuous-batching', '4', '--prefix-cache-file', '/tmp/pc', '--model', 'qwen=Qwen/Qwen3-0.6B-GGUF']));
  assert.deepEqual([plain.host, plain.port, plain.continuousBatching, plain.prefixCache, plain.corsOrigins], ['127.0.0.1', 8080, 4, true, []]);
  assert.deepEqual(plain.models[0], { source: 'Qwen/Qwen3-0.6B-GGUF', id: 'qwen', type: 'chat', preload: true });
  assert.deepEqual(resolveServeConfig({}, parseConfigFile('[api]\ncors_enabled = false\ncors_origins = ["x"]')).corsOrigins, []);
});

test('serve config: errors name the setting', () => {
  const bad: [string, RegExp][] = [
    ['[server]\nport = 1', /config server: unknown section/],
    ['[api]\nportt = 1', /config api.portt: unknown setting/],
    ['[api]\nport = "80"', /config api.port: expected a number/],
    ['[api]\naddress = "localhost"', /api.address: expected "host:port"/],
    ['[api]\nenabled = false', /api.enabled: is false/],
    ['[api.models.x]\ntype = "chat"', /api.models.x.path: missing/],
    ['[api.models.x]\npath = "p"\ntype = "vision"', /api.models.x.type: expected one of chat, completion, embedding/],
    ['[api.models.x]\npath = "p"\ndefault_temperature = 3', /default_temperature: must be in \[0, 2\]/],
    ['[api\nx=1', /config basert.toml:/],
  ];
  for (const [text, re] of bad) assert.throws(() => parseConfigFile(text), (e: Error) => e instanceof UsageError && re.test(e.message), text);
  assert.throws(() => resolveServeConfig(parseServeFlags(['--kv-bits', '5'])), /--kv-bits must be 16, 8 or 4/);
  assert.throws(() => resolveServeConfig(parseServeFlags(['--numerics', 'fast'])), /--numerics must be one of default, llamacpp, exact, got fast/);
  assert.equal(resolveServeConfig({}).numerics, 'default');
  assert.equal(resolveServeConfig(parseServeFlags(['--numerics', 'llamacpp'])).numerics, 'llamacpp');
  assert.equal(resolveServeConfig({}, parseConfigFile('[api]\nnumerics = "exact"')).numerics, 'exact');
  assert.throws(() => resolveServeConfig(parseServeFlags(['--port', '70000'])), /--port/);
  assert.throws(() => parseServeFlags(['model.gguf']), /no positional arguments/);
  assert.deepEqual(parseAddress('[::1]:8080'), { host: '::1', port: 8080 });
});

test('serve: --help documents every flag; key files; model ids', async () => {
  for (const f of SERVE_FLAGS) assert.match(SERVE_HELP, new RegExp(`--${f.name}\\b`), f.name);
  assert.match(SERVE_HELP, /\[api\.models\.my-chat-model\]/);
  assert.deepEqual(parseKeyFile('sk-a\n\n# comment\n  sk-b  # trailing\r\n'), ['sk-a', 'sk-b']);
  const files = { stat: async (p: string) => (p === '/m/tiny-qwen3' ? 'dir' : p === '/m/x.Q4_0.gguf' ? 'file' : null) as 'dir' | 'file' | null };
  assert.equal(await modelIdFor('/m/tiny-qwen3/', files), 'tiny-qwen3');
  assert.equal(await modelIdFor('/m/x.Q4_0.gguf', files), 'x.Q4_0');
  assert.equal(await modelIdFor('Qwen/Qwen3-0.6B-GGUF:Q4_K_M', files), 'Qwen/Qwen3-0.6B-GGUF');
});
