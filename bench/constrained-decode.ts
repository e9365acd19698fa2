// bench/constrained-decode: what constrained decoding costs per generated token, end to
// end through the Engine (grammar masks filled on the CPU, uploaded with the step, applied
// on the GPU before sampling), against unconstrained decoding of the same model, at batch
// 1 and batch 8 (continuous batching, every request constrained alike). Grammars:
// json_object, a nested JSON Schema, and tool_choice "auto" in the Hermes format (free
// text with a mask on every token, a call once "<tool_call>" appears). Compiled grammars
// are reused and warmed by one request first, as the server's grammar cache does; the
// first (cold: fresh grammar, empty caches) request's step time is reported too. Runs alternate between the modes,
// several rounds, and report medians (the software adapter shares its cores). Writes
// bench/results/constrained-decode-<adapter>.json. A benchmark, never a test.
//
//   node scripts/with-gpu.mjs node --import tsx bench/constrained-decode.ts [--size 100m --type F16 --tokens 32 --rounds 3]
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { findNodeGpu } from '../runtimes/node/gpu.ts';
import { nodeFileHost } from '../runtimes/node/file-host.ts';
import { compileGrammar, compileJsonSchema, GrammarBuilder, jsonObjectGrammar, parseGbnf, type CompiledGrammar } from '../src/constrain/index.ts';
import { Engine } from '../src/engine/engine.ts';
import { Sequence } from '../src/engine/sequence.ts';
import type { EngineRequest } from '../src/engine/types.ts';
import { acquireDevice } from '../src/gpu/device.ts';
import { GpuStep } from '../src/gpu/step.ts';
import { createTensor } from '../src/gpu/tensor.ts';
import { sample } from '../src/sample/gpu-sampler.ts';
import type { SeqSampling } from '../src/sample/sequence.ts';
import { openModelSource } from '../src/loader/model-source.ts';
import { loadModel } from '../src/model/index.ts';
import { samplingParams } from '../src/sample/params.ts';
import { toolCallExpr } from '../src/server/tools/grammar.ts';
import { ensureBenchModel, type BenchSize } from './bench-models.ts';

const arg = (name: string, dflt: string) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : dflt;
};
const size = arg('size', '100m') as BenchSize;
const type = arg('type', 'F16');
const TOKENS = Number(arg('tokens', '24'));
const ROUNDS = Number(arg('rounds', '7'));
const BATCHES = arg('batches', '1,8').split(',').map(Number);
const PROMPT = 24;

const SCHEMA = {
  type: 'object',
  properties: {
    name: { type: 'string' },
    age: { type: 'integer', minimum: 0, maximum: 150 },
    address: { type: 'object', properties: { city: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' } }, required: ['city', 'zip'], additionalProperties: false },
    tags: { type: 'array', items: { type: 'string' }, maxItems: 4 },
  },
  required: ['name', 'age', 'address', 'tags'],
  additionalProperties: false,
};

function toolsAuto(): CompiledGrammar {
  const b = new GrammarBuilder();
  const params = { type: 'object', properties: { city: { type: 'string' }, unit: { enum: ['c', 'f'] } }, required: ['city', 'unit'], additionalProperties: false };
  b.define('root', toolCallExpr(b, { format: 'hermes', tools: [{ name: 'get_weather', parameters: params }], mode: 'auto', parallel: true }));
  return compileGrammar(b.build('root'));
}

const gpu = await acquireDevice(await findNodeGpu());
const cached = join('.cache', 'bench-models', `bench-qwen3-${size}`, `bench-qwen3-${size}-${type}.gguf`);
const path = existsSync(cached) ? cached : await ensureBenchModel(size, type, join('.cache', 'bench-models'));
const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
const model = await loadModel(gpu, opened, { maxContext: 8 * (PROMPT + TOKENS + 16) + 64 });
await opened.close();
const adapter = gpu.adapter.isFallback || /llvmpipe|lavapipe|swiftshader/i.test(gpu.adapter.description) ? 'llvmpipe' : gpu.adapter.vendor || 'gpu';
console.log(`adapter: ${gpu.adapter.description}; model qwen3-${size} ${type}; ${TOKENS} tokens per request`);

const engine = new Engine(model, { continuousBatching: 8 });
const vocabT0 = performance.now();
engine.tokenVocab();
const vocabBuildMs = performance.now() - vocabT0;

// CPU time spent filling masks (Sequence.nextMask), per run.
let maskMs = 0;
const nextMask = Sequence.prototype.nextMask;
Sequence.prototype.nextMask = function (this: Sequence) {
  const t0 = performance.now();
  try {
    return nextMask.call(this);
  } finally {
    maskMs += performance.now() - t0;
  }
};

const MODES: Record<string, (() => CompiledGrammar) | null> = {
  free: null,
  json_object: () => compileGrammar(jsonObjectGrammar()),
  json_schema: () => compileGrammar(compileJsonSchema(SCHEMA)),
  tools_auto: toolsAuto,
};
const grammars = new Map<string, CompiledGrammar>([['warmup', compileGrammar(parseGbnf('root ::= [a-z ]{1,200}'))]]);

const prompt = (i: number) => Array.from({ length: PROMPT }, (_, k) => 1000 + ((k * 7919 + i * 104729) % 50000));

interface Run { msPerStep: number; msPerToken: number; cpuMsPerToken: number; steps: number; tokens: number; maskMsPerStep: number; lengths: number[] }

/** `batch` requests at once; decode time per step after every request has its first token. */
/** `lengths`: tokens per request (default TOKENS), to give a free run the shape of a constrained one. */
async function run(mode: string, batch: number, salt: number, lengths?: readonly number[]): Promise<Run> {
  const g = grammars.get(mode);
  const reqs: EngineRequest[] = Array.from({ length: batch }, (_, i) => ({
    promptIds: prompt(salt * 16 + i), sampling: samplingParams({ temperature: 1, seed: salt * 100 + i }), maxTokens: lengths?.[i] ?? TOKENS, ignoreEos: true,
    ...(g && { constraint: { grammar: g } }),
  }));
  let started = 0;
  let t0 = 0;
  let steps0 = 0;
  let mask0 = 0;
  let tokens = 0;
  let tokens0 = 0;
  let cpu0 = process.cpuUsage();
  const lengthsOut = reqs.map(() => 0);
  await Promise.all(reqs.map(async (r, i) => {
    let first = true;
    for await (const o of engine.add(r)) {
      tokens += o.ids.length;
      lengthsOut[i] += o.ids.length;
      if (first && o.ids.length > 0) {
        first = false;
        if (++started === batch) [t0, steps0, mask0, tokens0, cpu0] = [performance.now(), engine.stats().steps, maskMs, tokens, process.cpuUsage()];
      }
    }
  }));
  const steps = Math.max(1, engine.stats().steps - steps0);
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const n = tokens - tokens0;
  return { msPerStep: ms / steps, msPerToken: ms / n, cpuMsPerToken: (cpu.user + cpu.system) / 1000 / n, steps, tokens: n, maskMsPerStep: (maskMs - mask0) / steps, lengths: lengthsOut };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// One masked request first, so the mask kernel's pipeline is compiled before any timing.
await run('warmup', 1, 97);

const rows: Record<string, any>[] = [];
for (const batch of BATCHES) {
  const cold: Record<string, number> = {};
  for (const [mode, make] of Object.entries(MODES)) {
    if (!make) continue;
    const t0 = performance.now();
    grammars.set(mode, make());
    const compileMs = performance.now() - t0;
    const first = await run(mode, batch, 99); // caches cold: compile + first masks
    cold[mode] = first.msPerStep;
    console.log(`batch ${batch} ${mode}: compiled in ${compileMs.toFixed(1)} ms; cold run ${first.msPerStep.toFixed(1)} ms/step`);
  }
  await run('free', batch, 98); // warm-up
  const runs: Record<string, Run[]> = Object.fromEntries(Object.keys(MODES).map((m) => [m, []]));
  const names = Object.keys(MODES);
  const paired: Record<string, Run[]> = Object.fromEntries(names.map((m) => [m, []]));
  for (let r = 0; r < ROUNDS; r++) {
    // Each round runs every mode once, in a rotated order; overheads are taken per round
    // (against that round's free run), so slow drifts of a shared machine cancel out.
    for (const mode of names.map((_, k) => names[(k + r) % names.length])) {
      let x = await run(mode, batch, r);
      // A run whose grammar finished at once ("{}" as the first token) measures nothing.
      for (let again = 1; x.tokens < 4 * batch && again < 5; again++) x = await run(mode, batch, r + 1000 * again);
      runs[mode].push(x);
      // Choices that finished early (a random model may write "{}" at once) leave fewer
      // rows per step, which costs per token whatever the masks do: compare such a run
      // with a free run of the same lengths.
      if (mode !== 'free' && x.lengths.some((n) => n < TOKENS)) paired[mode][r] = await run('free', batch, r + 500, x.lengths);
      console.log(`batch ${batch} round ${r} ${mode}: ${x.msPerToken.toFixed(2)} ms/token, cpu ${x.cpuMsPerToken.toFixed(2)} ms/token, ${x.msPerStep.toFixed(1)} ms/step (${x.steps} steps, ${x.tokens} tokens, masks ${x.maskMsPerStep.toFixed(2)} ms/step)`);
    }
  }
  for (const mode of Object.keys(MODES)) {
    const perToken = median(runs[mode].map((x) => x.msPerToken));
    rows.push({
      batch, mode,
      msPerToken: perToken,
      msPerStep: median(runs[mode].map((x) => x.msPerStep)),
      maskCpuMsPerStep: median(runs[mode].map((x) => x.maskMsPerStep)),
      cpuMsPerToken: median(runs[mode].map((x) => x.cpuMsPerToken)),
      overhead: mode === 'free' ? 0 : median(runs[mode].map((x, r) => x.msPerToken / (paired[mode][r] ?? runs.free[r]).msPerToken - 1)),
      cpuOverhead: mode === 'free' ? 0 : median(runs[mode].map((x, r) => x.cpuMsPerToken / (paired[mode][r] ?? runs.free[r]).cpuMsPerToken - 1)),
      pairedRounds: paired[mode].filter(Boolean).length,
      maskCpuShare: median(runs[mode].map((x, r) => x.maskMsPerStep / runs.free[r].msPerStep)),
      ...(mode !== 'free' && { coldMsPerStep: cold[mode] }),
      roundsMsPerToken: runs[mode].map((x) => x.msPerToken),
    });
  }
}
await engine.close();

// The GPU side alone: one sample() step over [batch, vocab] logits with and without masks
// (the mask upload and the sample-mask dispatch), best of 15.
async function sampleMs(batch: number, masked: boolean, density: number): Promise<number> {
  const n = model.vocabSize;
  const x = new Float32Array(batch * n);
  for (let i = 0; i < x.length; i++) x[i] = Math.sin(i * 12.9898) * 3;
  const t = createTensor(gpu, [batch, n], 'f32', x);
  const mask = new Uint32Array(Math.ceil(n / 32));
  for (let i = 0; i < n; i++) if ((i * 2654435761) % 1000 < density * 1000) mask[i >>> 5] |= 1 << (i & 31);
  const seqs: SeqSampling[] = Array.from({ length: batch }, (_, r) => ({ params: samplingParams({ temperature: 1 }), seed: r, step: 0, ...(masked && { mask }) }));
  let best = Infinity;
  for (let k = 0; k < 15; k++) {
    const t0 = performance.now();
    const step = new GpuStep(gpu);
    const p = sample(step, t, seqs);
    await step.submit();
    await p;
    best = Math.min(best, performance.now() - t0);
  }
  t.destroy();
  return best;
}
const sampling = [];
for (const batch of BATCHES) {
  const free = await sampleMs(batch, false, 1);
  const dense = await sampleMs(batch, true, 0.99);
  const sparse = await sampleMs(batch, true, 0.001);
  sampling.push({ batch, freeMs: free, maskedDenseMs: dense, maskedSparseMs: sparse });
  console.log(`sample() batch ${batch}: ${free.toFixed(2)} ms; masked (99% allowed) ${dense.toFixed(2)} ms; masked (0.1% allowed) ${sparse.toFixed(2)} ms`);
}
// What constraining adds to a step, part by part (immune to the wall-clock noise of a
// shared machine): the masks' CPU time plus the larger of the two sample() differences.
for (const row of rows) {
  if (row.mode === 'free') continue;
  const s = sampling.find((x) => x.batch === row.batch)!;
  const freeStep = rows.find((x) => x.batch === row.batch && x.mode === 'free')!.msPerStep;
  Object.assign(row, { partsOverhead: (row.maskCpuMsPerStep + Math.max(s.maskedDenseMs, s.maskedSparseMs) - s.freeMs) / freeStep });
}

const out = {
  benchmark: 'constrained-decode',
  date: new Date().toISOString(),
  runtime: `node ${process.version}`,
  adapter: { description: gpu.adapter.description, isFallback: gpu.adapter.isFallback },
  model: `qwen3-${size} ${type} (random weights, 151936-token vocabulary)`,
  tokensPerRequest: TOKENS,
  rounds: ROUNDS,
  vocabBuildMs,
  note: 'cpuMsPerToken / cpuOverhead: the process CPU time (JavaScript and the software adapter\'s threads, which run in this process) per token, which load from other processes inflates far less than wall time; msPerToken / msPerStep: decode wall time per generated token / per engine step once every request of the batch is decoding (median of rounds, modes interleaved); overhead: median over rounds of msPerToken / the free msPerToken of the same round - 1 (of a free run with the same request lengths when some choices finished early: pairedRounds); maskCpuShare: mask CPU time as a share of the free step; maskCpuMsPerStep: Sequence.nextMask time per step (all rows); partsOverhead: (maskCpuMsPerStep + the sample() step difference with masks) / the free step; cold: the first request after compiling',
  rows,
  sampleStep: sampling,
  sampleNote: 'one sample() step (temperature 1) over [batch, 151936] logits, best of 15: without masks, and with every row masked',
};
mkdirSync(join('bench', 'results'), { recursive: true });
const file = join('bench', 'results', `constrained-decode-${adapter}.json`);
writeFileSync(file, JSON.stringify(out, null, 2) + '\n');
for (const r of rows) console.log(`${r.partsOverhead !== undefined ? `parts ${(100 * r.partsOverhead).toFixed(2)}%, ` : ''}batch ${r.batch} ${r.mode.padEnd(12)} ${r.msPerToken.toFixed(2)} ms/token, ${r.msPerStep.toFixed(1)} ms/step, masks ${r.maskCpuMsPerStep.toFixed(2)} ms/step (${(100 * r.maskCpuShare).toFixed(2)}% of a free step), overhead ${(100 * r.overhead).toFixed(1)}% wall, ${(100 * r.cpuOverhead).toFixed(1)}% cpu`);
console.log(`wrote ${file}`);
gpu.destroy();
