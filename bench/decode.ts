// bench/decode: random-weight Qwen3-shaped models (~100M and ~500M parameters) as F16,
// Q8_0 and Q4_0 GGUF files: decode tokens/s at batch 1, prefill tokens/s for a 512-token
// prompt, weight bytes read per decoded token, the fraction of the adapter's measured read
// bandwidth decode achieves (mean and median step), and the CPU time spent encoding a
// decode step. The same GGUF runs through llama.cpp (node-llama-cpp, CPU) in the same run
// for the ratio. Writes bench/results/decode-<adapter>.json. A benchmark, never a test.
//
//   npm run bench:decode [-- --sizes 100m,500m --types F16,Q8_0,Q4_0 --decode 16 --prefill 512 --no-llama --out file.json]
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findNodeGpu } from '../runtimes/node/gpu.ts';
import { nodeFileHost } from '../runtimes/node/file-host.ts';
import { acquireDevice, type GpuDevice } from '../src/gpu/device.ts';
import { measureReadBandwidth } from '../src/gpu/measure.ts';
import { GpuStep } from '../src/gpu/step.ts';
import { readGguf } from '../src/loader/gguf/index.ts';
import { openModelSource } from '../src/loader/model-source.ts';
import { generate } from '../src/engine/generate.ts';
import { loadModel, type Model } from '../src/model/index.ts';
import { llamaRef } from '../test/helpers/llama-ref.ts';
import { ensureBenchModel, BENCH_SIZES, type BenchSize } from './bench-models.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const sizes = arg('sizes', '100m,500m').split(',') as BenchSize[];
const types = arg('types', 'F16,Q8_0,Q4_0').split(',');
const DECODE = Number(arg('decode', '16'));
const PREFILL = Number(arg('prefill', '512'));
const withLlama = !process.argv.includes('--no-llama');

/** Bytes of weights one decode step reads: every tensor but the embedding table, of
 *  which one row is gathered (with tied embeddings the table is read as the LM head). */
async function weightBytesPerToken(path: string): Promise<{ perToken: number; total: number; params: number }> {
  const src = await nodeFileHost.openFile(path);
  try {
    const g = await readGguf(src);
    const tied = !g.tensors.some((t) => t.name === 'output.weight');
    let perToken = 0, total = 0, params = 0;
    for (const t of g.tensors) {
      total += t.byteSize;
      params += t.numElements;
      if (t.name !== 'token_embd.weight' || tied) perToken += t.byteSize;
    }
    return { perToken, total, params };
  } finally {
    await src.close();
  }
}

/** Milliseconds of CPU spent recording + encoding one decode step (forward + argmax). */
async function encodeMs(model: Model, numComputed: number): Promise<{ encode: number; step: number }> {
  const blockTable = Array.from({ length: model.cache.config.numBlocks }, (_, i) => i);
  let best = { encode: Infinity, step: Infinity };
  for (let i = 0; i < 4; i++) {
    const t0 = performance.now();
    const s = new GpuStep(model.gpu);
    const out = model.forward(s, { tokens: [1], seqs: [{ blockTable, numComputed, numNew: 1 }] });
    const read = s.read(out.logits.binding(), 4);
    const submitted = s.submit(); // encodes the pass and submits synchronously, then awaits the read
    const t1 = performance.now();
    await submitted;
    await read;
    out.release();
    const t2 = performance.now();
    if (t2 - t0 < best.step) best = { encode: t1 - t0, step: t2 - t0 };
  }
  return best;
}

async function runOurs(gpu: GpuDevice, path: string, prompt: number[]) {
  const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
  const model = await loadModel(gpu, opened, { kvBits: 16, maxContext: PREFILL + DECODE + 32 });
  try {
    // Warm-up: compiles every pipeline the real run uses.
    for await (const _ of generate(model, prompt.slice(0, 8), { maxTokens: 2, stopIds: [] })) void _;
    const it = generate(model, prompt, { maxTokens: DECODE + 1, stopIds: [] });
    // Each decode token's wall time: on a shared machine a neighbour's burst can double one
    // step, so the median is reported beside the mean.
    const tokenMs: number[] = [];
    let r = await it.next();
    let last = performance.now();
    while (!r.done) {
      r = await it.next(); // the first came after the prefill; these are decode steps
      const now = performance.now();
      if (!r.done) tokenMs.push(now - last);
      last = now;
    }
    const stats = r.value;
    const median = [...tokenMs].sort((a, b) => a - b)[Math.floor(tokenMs.length / 2)];
    const enc = await encodeMs(model, prompt.length);
    return {
      prefillTokPerS: (prompt.length / stats.firstTokenMs) * 1000,
      decodeTokPerS: ((stats.generatedTokens - 1) / stats.decodeMs) * 1000,
      decodeTokPerSMedian: 1000 / median,
      encodeMsPerStep: enc.encode,
      stepMs: enc.step,
      encodeFraction: enc.encode / enc.step,
    };
  } finally {
    model.destroy();
    await opened.close();
  }
}

async function runLlama(path: string, prompt: number[]) {
  const llama = await llamaRef();
  const model = await llama.loadModel({ modelPath: path });
  const ctx = await model.createContext({ contextSize: PREFILL + DECODE + 64, threads: llama.cpuMathCores });
  try {
    // The sequence's evaluate() generator is llama.cpp's streaming path: the first yield
    // comes after the prompt is evaluated and one token sampled, then one per decode step.
    const seq = ctx.getSequence() as unknown as { evaluate(tokens: number[]): AsyncGenerator<number> };
    const it = seq.evaluate(prompt);
    const t0 = performance.now();
    await it.next();
    const t1 = performance.now();
    for (let i = 0; i < DECODE; i++) await it.next();
    const t2 = performance.now();
    await it.return(undefined);
    return { prefillTokPerS: (prompt.length / (t1 - t0)) * 1000, decodeTokPerS: (DECODE / (t2 - t1)) * 1000 };
  } finally {
    await ctx.dispose();
    await model.dispose();
  }
}

const gpu = await acquireDevice(await findNodeGpu());
const readGBps = await measureReadBandwidth(gpu);
console.log(`adapter: ${gpu.adapter.description}; read peak ${readGBps.toFixed(2)} GB/s`);
const rows = [];
for (const size of sizes) {
  if (!BENCH_SIZES[size]) throw new Error(`unknown size ${size} (have ${Object.keys(BENCH_SIZES).join(', ')})`);
  for (const type of types) {
    const path = await ensureBenchModel(size, type, join('.cache', 'bench-models'));
    const w = await weightBytesPerToken(path);
    // A fixed pseudo-random prompt of ordinary token ids (content does not change timing).
    const prompt = Array.from({ length: PREFILL }, (_, i) => 1000 + ((i * 7919) % 50000));
    const ours = await runOurs(gpu, path, prompt);
    const ref = withLlama ? await runLlama(path, prompt) : undefined;
    const row = {
      model: `qwen3-${size}`,
      type,
      params: w.params,
      fileBytes: w.total,
      weightBytesPerToken: w.perToken,
      ...ours,
      decodeGBps: (w.perToken * ours.decodeTokPerS) / 1e9,
      decodeFractionOfReadPeak: (w.perToken * ours.decodeTokPerS) / 1e9 / readGBps,
      decodeFractionOfReadPeakMedian: (w.perToken * ours.decodeTokPerSMedian) / 1e9 / readGBps,
      llamaCpp: ref,
      decodeRatioVsLlamaCpp: ref ? ours.decodeTokPerS / ref.decodeTokPerS : undefined,
      prefillRatioVsLlamaCpp: ref ? ours.prefillTokPerS / ref.prefillTokPerS : undefined,
    };
    rows.push(row);
    console.log(
      `${row.model} ${type.padEnd(5)} ${(w.params / 1e6).toFixed(0)}M params  decode ${ours.decodeTokPerS.toFixed(2)} tok/s ` +
        `(${row.decodeGBps.toFixed(2)} GB/s, ${(100 * row.decodeFractionOfReadPeak).toFixed(0)}% of read peak; median step ${(100 * row.decodeFractionOfReadPeakMedian).toFixed(0)}%; encode ${(100 * ours.encodeFraction).toFixed(1)}% of step)  ` +
        `prefill ${ours.prefillTokPerS.toFixed(1)} tok/s` +
        (ref ? `  | llama.cpp CPU decode ${ref.decodeTokPerS.toFixed(2)} tok/s, prefill ${ref.prefillTokPerS.toFixed(1)} tok/s` : ''),
    );
  }
}
const slug = (gpu.adapter.description || 'adapter').split(/[:(]/)[0].trim().replace(/\W+/g, '-').toLowerCase();
mkdirSync('bench/results', { recursive: true });
const file = arg('out', `bench/results/decode-${slug}.json`);
writeFileSync(
  file,
  JSON.stringify({ benchmark: 'decode', date: new Date().toISOString(), runtime: `node ${process.version}`, adapter: gpu.adapter, features: gpu.features, readGBps, decodeTokens: DECODE, prefillTokens: PREFILL, rows }, null, 2) + '\n',
);
console.log(`wrote ${file}`);
gpu.destroy();
process.exit(0);
