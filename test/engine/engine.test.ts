// The engine end to end on a tiny model on the software GPU: continuous batching gives
// each request what it gets alone, the prefix cache skips recomputation, aborts and
// timeouts return every block, limits are refused before any work, stop strings and
// n > 1 behave as the OpenAI API says.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { Engine, type EngineOptions } from '../../src/engine/engine.ts';
import { EngineRequestError, type EngineOutput, type EngineRequest, type EngineUsage } from '../../src/engine/types.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel, type Model } from '../../src/model/index.ts';
import { samplingParams } from '../../src/sample/params.ts';
import { testModel } from '../helpers/test-models.ts';

let gpu: GpuDevice;
let model: Model;
const PROMPTS = [
  'Once upon a time, in a small village by the sea,',
  'The quick brown fox',
  'In 1905 Albert Einstein published four papers that',
  'Hello',
  'A recipe for bread: flour, water, salt and',
  'def fibonacci(n):',
  'The capital of France is',
  'Roses are red, violets are blue,',
];

before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
  const path = await testModel('tiny-llama', 'f16');
  const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
  try {
    model = await loadModel(gpu, opened, { maxContext: 1024, blockSize: 16 });
  } finally {
    await opened.close();
  }
});
after(() => {
  model?.destroy();
  gpu?.destroy();
});

const greedy = samplingParams({ temperature: 0 });

interface Collected {
  ids: number[][];
  text: string[];
  finish: (string | undefined)[];
  stopReason: (string | number | undefined)[];
  usage: EngineUsage;
  outputs: EngineOutput[];
}

async function collect(engine: Engine, req: EngineRequest): Promise<Collected> {
  const h = engine.add(req);
  const n = req.n ?? 1;
  const c: Collected = { ids: [], text: [], finish: [], stopReason: [], usage: undefined!, outputs: [] };
  for (let i = 0; i < n; i++) c.ids.push([]), c.text.push(''), c.finish.push(undefined), c.stopReason.push(undefined);
  for await (const o of h) {
    c.outputs.push(o);
    c.ids[o.index].push(...o.ids);
    c.text[o.index] += o.text;
    if (o.finishReason) (c.finish[o.index] = o.finishReason), (c.stopReason[o.index] = o.stopReason);
  }
  c.usage = await h.done;
  return c;
}

function withEngine<T>(opts: EngineOptions, f: (e: Engine) => Promise<T>): Promise<T> {
  const e = new Engine(model, opts);
  return f(e).finally(() => e.close());
}

const encode = (t: string) => model.tokenizer.encode(t);

describe('Engine', () => {
  it('8 concurrent greedy requests under continuous batching equal each run alone', async () => {
    const reqs = PROMPTS.map((p, i) => ({ promptIds: encode(p), sampling: greedy, maxTokens: 6 + (i % 3), ignoreEos: true }));
    const alone = await withEngine({}, async (e) => {
      const out: Collected[] = [];
      for (const r of reqs) out.push(await collect(e, r));
      return out;
    });
    const together = await withEngine({ continuousBatching: 8, tokenBudget: 64 }, async (e) => {
      const r = await Promise.all(reqs.map((q) => collect(e, q)));
      const s = e.stats();
      assert.ok(s.steps < reqs.reduce((a, q) => a + q.maxTokens, 0), `batched: ${s.steps} steps`);
      assert.equal(s.kvBlocksUsed, 0);
      return r;
    });
    together.forEach((t, i) => {
      assert.deepEqual(t.ids[0], alone[i].ids[0], `request ${i}`);
      assert.equal(t.text[0], alone[i].text[0]);
      assert.equal(t.finish[0], 'length');
      assert.deepEqual(t.usage, { promptTokens: reqs[i].promptIds.length, completionTokens: reqs[i].maxTokens, cachedPromptTokens: 0 });
    });
  });

  it('serves a repeated prefix from the cache and counts the tokens not recomputed', async () => {
    await withEngine({ prefixCache: true }, async (e) => {
      const prompt = encode(PROMPTS.join(' ')); // several 16-token blocks
      const first = await collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 3, ignoreEos: true });
      const second = await collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 3, ignoreEos: true });
      const full = Math.floor(prompt.length / 16) * 16;
      assert.equal(first.usage.cachedPromptTokens, 0);
      // Whole blocks only; a prompt ending on a block boundary recomputes its last block.
      assert.equal(second.usage.cachedPromptTokens, full === prompt.length ? full - 16 : full);
      assert.ok(second.usage.cachedPromptTokens >= 16);
      assert.deepEqual(second.ids, first.ids, 'the cached KV gives the same continuation');
      assert.equal(e.stats().prefixHitTokens, second.usage.cachedPromptTokens);
      // A different salt (another adapter, say) shares nothing.
      const salted = await collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 1, cacheSalt: 'lora-a' });
      assert.equal(salted.usage.cachedPromptTokens, 0);
    });
  });

  it('a persisted prefix cache survives a restart; another model\'s file is ignored', async () => {
    const { mkdtempSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const path = join(mkdtempSync(join(tmpdir(), 'basert-pfx-')), 'cache');
    const prompt = encode(PROMPTS.slice(0, 4).join(' '));
    const logs: string[] = [];
    const file = (modelId: string) => ({ host: nodeFileHost, path, modelId });
    const first = await withEngine({ prefixCacheFile: file('tiny') }, (e) => collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 3, ignoreEos: true }));
    assert.equal(first.usage.cachedPromptTokens, 0);
    // A new engine (as after a restart) loads the file and skips the cached blocks.
    const again = await withEngine({ prefixCacheFile: file('tiny'), log: (m) => logs.push(m) }, async (e) => {
      await e.ready;
      return collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 3, ignoreEos: true });
    });
    assert.ok(again.usage.cachedPromptTokens >= 16, `cached ${again.usage.cachedPromptTokens}`);
    assert.deepEqual(again.ids, first.ids);
    assert.ok(logs.some((m) => /restored \d+ blocks/.test(m)), logs.join('\n'));
    // Another model id reads another file: nothing to restore.
    const other = await withEngine({ prefixCacheFile: file('other-model') }, (e) => collect(e, { promptIds: prompt, sampling: greedy, maxTokens: 1 }));
    assert.equal(other.usage.cachedPromptTokens, 0);
    // A file written for another KV width is ignored with a warning.
    const { copyFileSync } = await import('node:fs');
    const { prefixCacheFilePath } = await import('../../src/engine/prefix-cache-file.ts');
    copyFileSync(prefixCacheFilePath(path, 'tiny'), prefixCacheFilePath(path, 'tiny8'));
    const narrow = model.withKvCache({ kvBits: 8, blockSize: 16, numBlocks: 64 });
    const e8 = new Engine(narrow, { prefixCacheFile: file('tiny8'), log: (m) => logs.push(m) });
    try {
      await e8.ready;
      assert.ok(logs.some((m) => /ignored/.test(m)), logs.join('\n'));
      const c = await collect(e8, { promptIds: prompt, sampling: greedy, maxTokens: 1 });
      assert.equal(c.usage.cachedPromptTokens, 0);
    } finally {
      await e8.close();
      narrow.destroy();
    }
  });

  it('aborting returns every block to the pool at once', async () => {
    await withEngine({ continuousBatching: 4 }, async (e) => {
      const total = e.stats().kvBlocksTotal;
      const ctrl = new AbortController();
      const long = e.add({ promptIds: encode(PROMPTS[0]), sampling: greedy, maxTokens: 500, ignoreEos: true, signal: ctrl.signal });
      const other = collect(e, { promptIds: encode(PROMPTS[1]), sampling: greedy, maxTokens: 4, ignoreEos: true });
      let got = 0;
      for await (const o of long) {
        got += o.ids.length;
        if (got === 3) {
          assert.ok(e.stats().kvBlocksUsed > 0);
          ctrl.abort();
          // Freed synchronously: the other request may still hold its own blocks.
          assert.ok(e.stats().kvBlocksUsed <= 1);
        }
        if (o.finishReason) assert.equal(o.finishReason, 'abort');
      }
      assert.equal((await long.done).completionTokens, 3);
      assert.equal((await other).finish[0], 'length');
      assert.equal(e.stats().kvBlocksUsed, 0);
      assert.equal(e.blocks.numFreeBlocks(), total);
    });
  });

  it('times out with finish_reason timeout', async () => {
    await withEngine({}, async (e) => {
      const c = await collect(e, { promptIds: encode(PROMPTS[2]), sampling: greedy, maxTokens: 900, ignoreEos: true, timeoutMs: 300 });
      assert.equal(c.finish[0], 'timeout');
      assert.ok(c.ids[0].length < 900);
      assert.equal(e.stats().kvBlocksUsed, 0);
    });
  });

  it('refuses what the context cannot hold before doing any work', async () => {
    await withEngine({ maxContext: 40 }, async (e) => {
      assert.equal(e.maxContext, 40);
      const long = Array.from({ length: 40 }, (_, i) => 100 + i);
      assert.throws(() => e.add({ promptIds: long, sampling: greedy }), (err: EngineRequestError) => err.code === 'context_length_exceeded');
      assert.throws(() => e.add({ promptIds: long.slice(0, 30), sampling: greedy, maxTokens: 11 }), (err: EngineRequestError) => err.code === 'context_length_exceeded' && err.param === 'max_tokens');
      assert.throws(() => e.add({ promptIds: [model.vocabSize], sampling: greedy }), (err: EngineRequestError) => err.code === 'invalid_request');
      assert.throws(() => e.add({ promptIds: [], sampling: greedy }), (err: EngineRequestError) => err.param === 'prompt');
      assert.equal(e.stats().steps, 0);
      // Without max_tokens a request may fill the context.
      const c = await collect(e, { promptIds: long.slice(0, 30), sampling: greedy, ignoreEos: true });
      assert.equal(c.ids[0].length, 10);
      assert.equal(c.finish[0], 'length');
    });
  });

  it('stops at a stop string across token boundaries, without streaming it', async () => {
    await withEngine({}, async (e) => {
      const base = await collect(e, { promptIds: encode(PROMPTS[4]), sampling: greedy, maxTokens: 12, ignoreEos: true });
      const text = base.text[0];
      assert.ok(text.length >= 6, `need some text, got ${JSON.stringify(text)}`);
      // A stop string spanning the middle of the text (likely across tokens).
      const mid = Math.floor(text.length / 2);
      const stop = text.slice(mid - 2, mid + 2);
      const c = await collect(e, { promptIds: encode(PROMPTS[4]), sampling: greedy, maxTokens: 12, ignoreEos: true, stop: ['never-there', stop] });
      const at = text.indexOf(stop);
      assert.equal(c.text[0], text.slice(0, at));
      assert.equal(c.finish[0], 'stop');
      assert.equal(c.stopReason[0], stop);
      for (const o of c.outputs) assert.ok(!o.text.includes(stop));
    });
  });

  it('stop token ids end a choice and are not returned', async () => {
    await withEngine({}, async (e) => {
      const base = await collect(e, { promptIds: encode(PROMPTS[5]), sampling: greedy, maxTokens: 6, ignoreEos: true });
      const stopId = base.ids[0][3];
      const c = await collect(e, { promptIds: encode(PROMPTS[5]), sampling: greedy, maxTokens: 6, ignoreEos: true, stopTokenIds: [stopId] });
      const at = base.ids[0].indexOf(stopId);
      assert.deepEqual(c.ids[0], base.ids[0].slice(0, at));
      assert.equal(c.finish[0], 'stop');
      assert.equal(c.stopReason[0], stopId);
    });
  });

  it('n > 1 choices share the prompt blocks; a seed repeats whatever else is in the batch', async () => {
    const sampled = samplingParams({ temperature: 1, seed: 1234, logprobs: true, top_logprobs: 2 });
    const prompt = encode(PROMPTS.slice(0, 3).join(' '));
    const alone = await withEngine({}, (e) => collect(e, { promptIds: prompt, sampling: sampled, maxTokens: 5, ignoreEos: true, n: 3 }));
    const busy = await withEngine({ continuousBatching: 8 }, async (e) => {
      const noise = PROMPTS.slice(3).map((p) => collect(e, { promptIds: encode(p), sampling: samplingParams({ temperature: 1 }), maxTokens: 4, ignoreEos: true }));
      const c = await collect(e, { promptIds: prompt, sampling: sampled, maxTokens: 5, ignoreEos: true, n: 3 });
      await Promise.all(noise);
      return c;
    });
    assert.deepEqual(busy.ids, alone.ids);
    assert.equal(alone.usage.completionTokens, 15);
    assert.notDeepEqual(alone.ids[0], alone.ids[1], 'choices use different seeds');
    for (const o of alone.outputs) {
      if (o.ids.length === 0) continue;
      assert.equal(o.logprobs?.length, o.ids.length);
      const lp = o.logprobs![0];
      assert.equal(lp.id, o.ids[0]);
      assert.ok(lp.logprob <= 0 && lp.top.length === 2 && lp.top[0].logprob >= lp.top[1].logprob);
    }
  });

  it('queues more requests than lanes and finishes them all (FCFS, nobody starves)', async () => {
    await withEngine({ continuousBatching: 2 }, async (e) => {
      const all = await Promise.all(PROMPTS.map((p) => collect(e, { promptIds: encode(p), sampling: greedy, maxTokens: 3, ignoreEos: true })));
      for (const c of all) assert.equal(c.ids[0].length, 3);
      assert.equal(e.stats().running + e.stats().waiting, 0);
    });
  });
});
