// bench/serve-http: what the HTTP server adds on top of the engine. 16 concurrent
// streaming clients (raw fetch, SSE parsed as the openai SDK does) against `basert serve`'s
// app on 127.0.0.1, compared with the same 16 requests handed to the engine directly:
// time to first token and end-to-end per request, aggregate tokens/s. Then the server
// alone: a null engine (the real tokenizer and detokenizer, no GPU) streaming the same
// token counts, for the per-request and per-chunk cost of HTTP + JSON + SSE. The clients
// share this process (and its cores) with the server, so the server-only figures are an
// upper bound. Writes bench/results/serve-http-<adapter>.json. A benchmark, never a test.
//
//   node scripts/with-gpu.mjs node --import tsx bench/serve-http.ts [--model path --clients 16 --decode 16 --prompt 32 --rounds 3]
//   (default model: the tiny Qwen3 test model; --model .cache/bench-models/... for a larger one)
import { mkdirSync, writeFileSync } from 'node:fs';
import { findNodeGpu } from '../runtimes/node/gpu.ts';
import { nodeFileHost } from '../runtimes/node/file-host.ts';
import { nodeServeHost } from '../runtimes/node/serve.ts';
import { Engine } from '../src/engine/engine.ts';
import { ModelRegistry, type ServingEngine } from '../src/engine/model-registry.ts';
import type { EngineOutput, EngineRequest, RequestHandle } from '../src/engine/types.ts';
import { acquireDevice } from '../src/gpu/device.ts';
import { openModelSource, resolveModelSource } from '../src/loader/model-source.ts';
import { loadModel, type Model } from '../src/model/index.ts';
import { samplingParams } from '../src/sample/params.ts';
import { createServerApp } from '../src/server/index.ts';
import { IncrementalDetokenizer } from '../src/text/index.ts';
import { testModel } from '../test/helpers/test-models.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const CLIENTS = Number(arg('clients', '16'));
const DECODE = Number(arg('decode', '16'));
const PROMPT = Number(arg('prompt', '32'));
const ROUNDS = Number(arg('rounds', '3'));
const modelPath = arg('model', '') || (await testModel('tiny-qwen3'));

const gpu = await acquireDevice(await findNodeGpu());
const opened = await openModelSource(await resolveModelSource(modelPath, { files: nodeFileHost }), nodeFileHost);
const model = await loadModel(gpu, opened, { maxContext: CLIENTS * (PROMPT + DECODE + 16) });
await opened.close();
console.log(`adapter: ${gpu.adapter.description}; model ${model.config.architecture} from ${modelPath}; ${CLIENTS} clients x ${PROMPT} prompt + ${DECODE} tokens, ${ROUNDS} rounds`);

const prompts = Array.from({ length: CLIENTS }, (_, c) => Array.from({ length: PROMPT }, (_, i) => 1000 + ((i * 7919 + c * 104729) % 50000)));

interface Timing {
  firstMs: number;
  endMs: number;
  tokens: number;
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((p / 100) * xs.length))];
function summary(runs: Timing[], wallMs: number) {
  const tokens = runs.reduce((a, r) => a + r.tokens, 0);
  return {
    wallMs, tokens, aggregateTokPerS: (tokens / wallMs) * 1000,
    ttftMs: { mean: mean(runs.map((r) => r.firstMs)), p50: pct(runs.map((r) => r.firstMs), 50), p95: pct(runs.map((r) => r.firstMs), 95) },
    endToEndMs: { mean: mean(runs.map((r) => r.endMs)), p50: pct(runs.map((r) => r.endMs), 50), p95: pct(runs.map((r) => r.endMs), 95) },
  };
}

/** The engine directly: CLIENTS requests at once. */
async function engineRound(engine: ServingEngine): Promise<{ runs: Timing[]; wallMs: number }> {
  const t0 = performance.now();
  const runs = await Promise.all(prompts.map(async (p) => {
    const s = performance.now();
    let firstMs = 0, tokens = 0;
    for await (const o of engine.add({ promptIds: p, sampling: samplingParams({ temperature: 0 }), maxTokens: DECODE, ignoreEos: true })) {
      if (tokens === 0 && o.ids.length) firstMs = performance.now() - s;
      tokens += o.ids.length;
    }
    return { firstMs, endMs: performance.now() - s, tokens };
  }));
  return { runs, wallMs: performance.now() - t0 };
}

/** CLIENTS streaming /v1/completions requests (token-id prompts, so the engine sees the same work). */
async function httpRound(base: string): Promise<{ runs: Timing[]; wallMs: number }> {
  const t0 = performance.now();
  const runs = await Promise.all(prompts.map(async (p) => {
    const s = performance.now();
    const res = await fetch(`${base}/v1/completions`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'm', prompt: p, max_tokens: DECODE, ignore_eos: true, temperature: 0, stream: true, stream_options: { include_usage: true } }),
    });
    if (!res.ok) throw new Error(`HTTP ${res.status}: ${await res.text()}`);
    const reader = res.body!.pipeThrough(new TextDecoderStream()).getReader();
    let buf = '', firstMs = 0, tokens = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      buf += value;
      let at;
      while ((at = buf.indexOf('\n\n')) >= 0) {
        const event = buf.slice(6, at);
        buf = buf.slice(at + 2);
        if (event === '[DONE]') continue;
        const chunk = JSON.parse(event);
        if (chunk.usage) tokens = chunk.usage.completion_tokens;
        else if (!firstMs && chunk.choices[0]?.text) firstMs = performance.now() - s;
      }
    }
    return { firstMs, endMs: performance.now() - s, tokens };
  }));
  return { runs, wallMs: performance.now() - t0 };
}

/** A null engine: each request "generates" DECODE tokens at once through the real detokenizer. */
class NullEngine implements ServingEngine {
  readonly maxContext: number;
  constructor(readonly model: Model) {
    this.maxContext = model.kvCapacity;
  }
  add(req: EngineRequest): RequestHandle {
    const detok = new IncrementalDetokenizer(this.model.tokenizer, { promptIds: req.promptIds });
    const n = req.maxTokens ?? DECODE;
    async function* gen(): AsyncGenerator<EngineOutput> {
      for (let i = 0; i < n; i++) {
        const id = 1000 + i;
        yield { index: 0, ids: [id], text: detok.push(id), ...(i === n - 1 && { finishReason: 'length' as const }) };
      }
    }
    const it = gen();
    return { id: 'null', done: Promise.resolve({ promptTokens: req.promptIds.length, completionTokens: n, cachedPromptTokens: 0 }), abort: () => void it.return(undefined), [Symbol.asyncIterator]: () => it };
  }
  stats() {
    return { running: 0, waiting: 0, kvBlocksTotal: 1, kvBlocksUsed: 0, prefixQueryTokens: 0, prefixHitTokens: 0, promptTokens: 0, generatedTokens: 0, steps: 0, preemptions: 0 };
  }
  async close() {}
}

async function serveEngine(engine: ServingEngine) {
  const registry = new ModelRegistry({ load: async () => ({ engine, memoryBytes: 0, close: async () => {} }) });
  registry.register({ id: 'm', source: 'bench', type: 'chat' });
  const app = createServerApp({ registry, defaultMaxTokens: DECODE });
  await registry.load('m');
  app.ready();
  const l = await nodeServeHost.listen(app.fetch, { hostname: '127.0.0.1', port: 0 });
  return { base: `http://127.0.0.1:${l.port}`, close: () => l.close() };
}

const engine = new Engine(model, { continuousBatching: CLIENTS });
await engineRound(engine); // warm-up: pipelines compiled, buffers pooled
const server = await serveEngine(engine);
await httpRound(server.base);
const engineRuns: ReturnType<typeof summary>[] = [];
const httpRuns: ReturnType<typeof summary>[] = [];
for (let r = 0; r < ROUNDS; r++) {
  // Alternate, so drift in the shared machine's load hits both alike.
  const e = await engineRound(engine);
  engineRuns.push(summary(e.runs, e.wallMs));
  const h = await httpRound(server.base);
  httpRuns.push(summary(h.runs, h.wallMs));
  console.log(`round ${r + 1}: engine ${engineRuns.at(-1)!.endToEndMs.mean.toFixed(1)} ms/request, HTTP ${httpRuns.at(-1)!.endToEndMs.mean.toFixed(1)} ms/request`);
}
server.close();
await engine.close();

const nul = await serveEngine(new NullEngine(model));
await httpRound(nul.base);
const nullRuns: ReturnType<typeof summary>[] = [];
for (let r = 0; r < ROUNDS * 3; r++) {
  const h = await httpRound(nul.base);
  nullRuns.push(summary(h.runs, h.wallMs));
}
nul.close();

const avg = (rows: ReturnType<typeof summary>[], f: (s: ReturnType<typeof summary>) => number) => mean(rows.map(f));
const engineE2e = avg(engineRuns, (s) => s.endToEndMs.mean), httpE2e = avg(httpRuns, (s) => s.endToEndMs.mean);
const engineTtft = avg(engineRuns, (s) => s.ttftMs.mean), httpTtft = avg(httpRuns, (s) => s.ttftMs.mean);
const nullWall = avg(nullRuns, (s) => s.wallMs);
const overhead = {
  perRequestMs: httpE2e - engineE2e,
  perRequestPct: ((httpE2e - engineE2e) / engineE2e) * 100,
  ttftMs: httpTtft - engineTtft,
  aggregateTokPerS: { engine: avg(engineRuns, (s) => s.aggregateTokPerS), http: avg(httpRuns, (s) => s.aggregateTokPerS) },
  serverOnly: {
    /** Wall time of one round of CLIENTS requests with a null engine, per request (all cores). */
    msPerRequest: nullWall / CLIENTS,
    /** The same per streamed token (one SSE chunk each). */
    usPerChunk: (nullWall / (CLIENTS * DECODE)) * 1000,
    requestsPerS: (CLIENTS / nullWall) * 1000,
  },
};
console.log(`server overhead: ${overhead.perRequestMs.toFixed(1)} ms per request (${overhead.perRequestPct.toFixed(1)}%), TTFT +${overhead.ttftMs.toFixed(1)} ms; ` +
  `aggregate ${overhead.aggregateTokPerS.engine.toFixed(1)} -> ${overhead.aggregateTokPerS.http.toFixed(1)} tok/s; ` +
  `server alone: ${overhead.serverOnly.msPerRequest.toFixed(2)} ms/request, ${overhead.serverOnly.usPerChunk.toFixed(0)} us/chunk`);

const slug = (gpu.adapter.description || 'adapter').split(/[:(]/)[0].trim().replace(/\W+/g, '-').toLowerCase();
mkdirSync('bench/results', { recursive: true });
const file = arg('out', `bench/results/serve-http-${slug}.json`);
writeFileSync(file, `${JSON.stringify({
  benchmark: 'serve-http', date: new Date().toISOString(), runtime: `node ${process.version}`, adapter: gpu.adapter,
  model: { path: modelPath, architecture: model.config.architecture },
  clients: CLIENTS, promptTokens: PROMPT, decodeTokens: DECODE, rounds: ROUNDS,
  overhead, engine: engineRuns, http: httpRuns, serverOnly: nullRuns,
}, null, 2)}\n`);
console.log(`wrote ${file}`);
model.destroy();
gpu.destroy();
process.exit(0);
