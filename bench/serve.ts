// bench/serve: the engine under load. Aggregate decode tokens/s with 1, 2, 4, 8, 16
// concurrent greedy streams (continuous batching); time to first token for a 1k-token
// prompt with and without a prefix-cache hit; KV bytes per token at 16/8/4 bits. Writes
// bench/results/serve-<adapter>.json. A benchmark, never a test.
//
//   npm run bench:serve [-- --size 100m --type Q4_0 | --model file.gguf] [--decode 32 --streams 1,2,4,8,16 --prompt 1024 --out file.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { findNodeGpu } from '../runtimes/node/gpu.ts';
import { nodeFileHost } from '../runtimes/node/file-host.ts';
import { Engine } from '../src/engine/engine.ts';
import type { EngineRequest } from '../src/engine/types.ts';
import { acquireDevice } from '../src/gpu/device.ts';
import { KvCache } from '../src/gpu/kv-cache.ts';
import { openModelSource } from '../src/loader/model-source.ts';
import { loadModel } from '../src/model/index.ts';
import { samplingParams } from '../src/sample/params.ts';
import { ensureBenchModel, type BenchSize } from './bench-models.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const size = arg('size', '100m') as BenchSize;
const type = arg('type', 'Q4_0');
const DECODE = Number(arg('decode', '32'));
const STREAMS = arg('streams', '1,2,4,8,16').split(',').map(Number);
const PROMPT = Number(arg('prompt', '1024'));
/** Prompt tokens per concurrent stream: short, so the figure is about decode. */
const PER_STREAM_PROMPT = 8;

const gpu = await acquireDevice(await findNodeGpu());
const modelArg = arg('model', '');
const path = modelArg || (await ensureBenchModel(size, type, join('.cache', 'bench-models')));
const modelName = modelArg ? basename(modelArg, '.gguf') : `qwen3-${size}`;
const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
const maxStreams = Math.max(...STREAMS);
const model = await loadModel(gpu, opened, { kvBits: 16, maxContext: Math.max(maxStreams * (64 + DECODE), 2 * (PROMPT + 32)) });
await opened.close();
console.log(`adapter: ${gpu.adapter.description}; model ${modelName}${modelArg ? '' : ` ${type}`}`);

const greedy = samplingParams({ temperature: 0 });
const tokens = (n: number, salt: number) => Array.from({ length: n }, (_, i) => 1000 + ((i * 7919 + salt * 104729) % 50000));

async function drain(engine: Engine, req: EngineRequest): Promise<{ firstMs: number; endMs: number; tokens: number }> {
  const t0 = performance.now();
  let firstMs = 0, n = 0;
  for await (const o of engine.add(req)) {
    if (n === 0 && o.ids.length) firstMs = performance.now() - t0;
    n += o.ids.length;
  }
  return { firstMs, endMs: performance.now() - t0, tokens: n };
}

// Aggregate decode throughput: each stream has a short distinct prompt and decodes DECODE
// tokens. decodeOnlyTokPerS leaves out the first step (all prompts, one batched prefill).
const concurrency = [];
for (const streams of STREAMS) {
  const engine = new Engine(model, { continuousBatching: Math.max(streams, 1) });
  await drain(engine, { promptIds: tokens(8, 999), sampling: greedy, maxTokens: 2, ignoreEos: true }); // warm-up
  const t0 = performance.now();
  const runs = await Promise.all(Array.from({ length: streams }, (_, s) => drain(engine, { promptIds: tokens(PER_STREAM_PROMPT, s), sampling: greedy, maxTokens: DECODE, ignoreEos: true })));
  const wall = performance.now() - t0;
  const lastFirst = Math.max(...runs.map((r) => r.firstMs));
  const decoded = runs.reduce((a, r) => a + r.tokens, 0);
  const row = { streams, wallMs: wall, tokens: decoded, aggregateTokPerS: (decoded / wall) * 1000, decodeOnlyTokPerS: ((decoded - streams) / (wall - lastFirst)) * 1000, steps: engine.stats().steps };
  concurrency.push(row);
  console.log(`${String(streams).padStart(2)} streams: ${row.aggregateTokPerS.toFixed(1)} tok/s aggregate (${row.decodeOnlyTokPerS.toFixed(1)} decode-only), ${row.steps} steps`);
  await engine.close();
}
const one = concurrency.find((r) => r.streams === 1);
const eight = concurrency.find((r) => r.streams === 8);

// Time to first token for a long prompt, cold and with its prefix cached.
const engine = new Engine(model, { prefixCache: true });
const long = tokens(PROMPT, 7);
await drain(engine, { promptIds: tokens(16, 3), sampling: greedy, maxTokens: 1 }); // warm-up
const cold = await drain(engine, { promptIds: long, sampling: greedy, maxTokens: 1 });
const warm = await drain(engine, { promptIds: long, sampling: greedy, maxTokens: 1 });
const hit = engine.stats().prefixHitTokens;
await engine.close();
console.log(`TTFT ${PROMPT}-token prompt: cold ${cold.firstMs.toFixed(0)} ms, prefix hit ${warm.firstMs.toFixed(0)} ms (${(cold.firstMs / warm.firstMs).toFixed(1)}x; ${hit} tokens from cache)`);

const c = model.config;
const kvBytesPerToken = Object.fromEntries([16, 8, 4].map((b) => [b, KvCache.bytesPerToken({ numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim, kvBits: b as 16 | 8 | 4 })]));
console.log(`KV bytes per token: ${JSON.stringify(kvBytesPerToken)}`);

const slug = (gpu.adapter.description || 'adapter').split(/[:(]/)[0].trim().replace(/\W+/g, '-').toLowerCase();
mkdirSync('bench/results', { recursive: true });
const file = arg('out', `bench/results/serve-${slug}${modelArg ? `-${modelName}` : ''}.json`);
const result = {
  benchmark: 'serve',
  date: new Date().toISOString(),
  runtime: `node ${process.version}`,
  adapter: gpu.adapter,
  model: modelArg ? { name: modelName, path: modelArg } : { name: modelName, type },
  decodeTokensPerStream: DECODE,
  concurrency,
  eightVsOne: one && eight ? { aggregate: eight.aggregateTokPerS / one.aggregateTokPerS, decodeOnly: eight.decodeOnlyTokPerS / one.decodeOnlyTokPerS } : undefined,
  ttft: { promptTokens: PROMPT, coldMs: cold.firstMs, prefixHitMs: warm.firstMs, speedup: cold.firstMs / warm.firstMs, cachedTokens: hit },
  kvBytesPerToken,
};
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${file}`);
model.destroy();
gpu.destroy();
process.exit(0);
