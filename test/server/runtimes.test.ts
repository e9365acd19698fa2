// The same server under Bun (Bun.serve) and Deno (Deno.serve): one smoke suite run against
// each as a child process on 127.0.0.1 with the tiny Qwen3 on the software GPU, driven by
// the openai SDK. (Node runs the full suite in serve.test.ts.)
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import OpenAI from 'openai';
import { testModel } from '../helpers/test-models.ts';
import { startServe, type Runtime, type ServeChild } from './serve-child.ts';

function smokeSuite(runtime: Runtime): void {
  describe(`basert serve on ${runtime}`, () => {
    let s: ServeChild;
    let client: OpenAI;
    before(async () => {
      s = await startServe(['--model', await testModel('tiny-qwen3'), '--api-key', 'k', '--max-tokens', '4'], { runtime });
      client = new OpenAI({ baseURL: s.baseURL, apiKey: 'k', maxRetries: 0 });
    }, { timeout: 180_000 });
    after(() => s?.stop());

    test('health, auth, models', async () => {
      assert.equal((await fetch(`${s.origin}/health`)).status, 200);
      assert.equal((await fetch(`${s.baseURL}/models`)).status, 401);
      assert.deepEqual((await client.models.list()).data.map((m) => m.id), ['tiny-qwen3']);
    });

    test('chat whole and streamed, completions', async () => {
      const r = await client.chat.completions.create({ model: 'tiny-qwen3', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3 });
      assert.equal(r.choices[0].message.role, 'assistant');
      assert.ok(r.usage!.completion_tokens >= 1 && r.usage!.completion_tokens <= 3);
      const stream = await client.chat.completions.create({ model: 'tiny-qwen3', messages: [{ role: 'user', content: 'Hi' }], max_tokens: 3, stream: true, stream_options: { include_usage: true } });
      const chunks: OpenAI.ChatCompletionChunk[] = [];
      for await (const c of stream) chunks.push(c);
      assert.equal(chunks[0].choices[0].delta.role, 'assistant');
      assert.equal(new Set(chunks.map((c) => c.id)).size, 1);
      assert.ok(chunks.at(-2)!.choices[0].finish_reason);
      assert.ok(chunks.at(-1)!.usage!.completion_tokens >= 1);
      const t = await client.completions.create({ model: 'tiny-qwen3', prompt: 'Once', max_tokens: 2, temperature: 0 });
      assert.equal(t.choices.length, 1);
    });

    test('bad input is a 400 and the server keeps serving; SIGINT exits 0', async () => {
      await assert.rejects(client.chat.completions.create({ model: 'tiny-qwen3', messages: [], max_tokens: 1 }), OpenAI.BadRequestError);
      await assert.rejects(client.chat.completions.create({ model: 'nope', messages: [{ role: 'user', content: 'x' }] }), OpenAI.NotFoundError);
      assert.equal((await client.chat.completions.create({ model: 'tiny-qwen3', messages: [{ role: 'user', content: 'x' }], max_tokens: 1 })).choices.length, 1);
      s.child.kill('SIGINT');
      assert.equal((await s.exited).code, 0);
      assert.match(s.stderr(), /basert serve: stopped/);
    });
  });
}

smokeSuite('bun');
smokeSuite('deno');
