// `basert run` through runCli with the Node file host: streams the greedy continuation,
// reports tokens/s on stderr, and fails in one line on bad input.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { runCli } from '../../src/cli/main.ts';
import { testModel } from '../helpers/test-models.ts';

async function cli(...argv: string[]): Promise<{ code: number; out: string; err: string; writes: number }> {
  let out = '', err = '', writes = 0;
  const code = await runCli(argv, {
    runtime: 'test', gpu: findNodeGpu, files: nodeFileHost,
    out: (t) => void (out += `${t}\n`), err: (t) => void (err += `${t}\n`),
    write: (t) => void ((out += t), writes++),
  });
  return { code, out, err, writes };
}

test('basert run prints a greedy continuation as it streams, then tokens/s', async () => {
  const dir = await testModel('tiny-qwen3');
  const a = await cli('run', '--model', dir, '--prompt', 'The capital of France is', '--max-tokens', '8');
  assert.equal(a.code, 0, a.err);
  assert.ok(a.writes >= 2, 'streamed in pieces');
  assert.match(a.err, /^8 tokens \(length\), [\d.]+ tokens\/s; prompt 5 tokens, first token after [\d.]+ s\n$/);
  const b = await cli('run', '--model', await testModel('tiny-qwen3', 'f32'), '--prompt', 'The capital of France is', '--max-tokens', '8');
  assert.equal(b.out, a.out, 'the HF directory and its GGUF continue the same way');
  const chat = await cli('run', '--model', dir, '--prompt', 'Hi', '--chat', '--max-tokens', '3', '--temperature', '0.7', '--seed', '1', '--kv-bits', '8');
  assert.equal(chat.code, 0, chat.err);
  // The llama.cpp-rounding and exact presets load and run; on this file greedy text agrees.
  for (const numerics of ['llamacpp', 'exact']) {
    const r = await cli('run', '--model', dir, '--prompt', 'The capital of France is', '--max-tokens', '8', '--numerics', numerics);
    assert.equal(r.code, 0, r.err);
    assert.equal(r.out, a.out, numerics);
  }
  assert.match((await cli('run', '--model', dir, '--prompt', 'x', '--numerics', 'fast')).err, /--numerics must be one of default, llamacpp, exact/);
});

test('basert run: bad input is one line and exit 1 (or 2 for usage)', async () => {
  const dir = await testModel('tiny-qwen3');
  const big = await cli('run', '--model', dir, '--prompt', 'x', '--max-context', String(1 << 24));
  assert.equal(big.code, 1);
  assert.match(big.err, /^basert run: .*tiny-qwen3: a KV cache of 16777216 tokens needs \d+ bytes per layer pool, over this device's maxStorageBufferBindingSize/);
  assert.equal((await cli('run', '--model', dir)).code, 2);
  assert.match((await cli('run', '--model', dir, '--prompt', 'x', '--temperature', '5')).err, /temperature must be in \[0, 2\]/);
});
