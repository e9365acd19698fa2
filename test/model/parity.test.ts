// Our next-token distributions on the same GGUF files as two references: llama.cpp
// (node-llama-cpp's CPU build, f16 KV cache) and an exact f64 CPU forward of the same
// weights with K/V stored as our cache stores them (cpu-forward.ts). Every tiny
// architecture × weight type, a real prompt, every position of it (one prefill step,
// logits for all rows). The loaded model runs three ways over the same weights:
//
//  - activationQuant 'q8' (a GGUF's default: linear inputs rounded as llama.cpp's CPU
//    backend rounds them) against llama.cpp, 16-bit KV, with each attention rounding:
//    'llamacpp' (q in f16, output accumulated in f16 key by key, as llama.cpp's CPU flash
//    attention does for this 33-token batch) and the default 'f32'. Top-1 identical and
//    max |Δp| < 2e-3, except where LLAMA_GAPS lists a file, held there to its measured
//    bound for the causes docs/model.md names. 8- and 4-bit KV: the measured cost of the
//    narrower cache, held to the bounds documented in docs/model.md.
//  - 'f32' (exact activations) against the exact forward, at 16-, 8- and 4-bit KV: top-1
//    identical and max |Δp| < 2e-3: the forward itself is right.
//
// A fourth forward, the CPU one computing what llama.cpp's CPU backend computes
// (cpu-forward.ts llamaCpp), must land within 2e-3 of llama.cpp on every file: the proof
// that those roundings are the whole difference. Top-1 differences within TIE of the
// reference's leader (random-weight models have near-flat distributions with near-ties)
// count as ties.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { findNodeGpu } from '../../runtimes/node/gpu.ts';
import { nodeFileHost } from '../../runtimes/node/file-host.ts';
import { acquireDevice, type GpuDevice } from '../../src/gpu/device.ts';
import type { AttentionRounding } from '../../src/gpu/kernels/attention.ts';
import type { KvBits } from '../../src/gpu/kv-cache.ts';
import { openModelSource } from '../../src/loader/model-source.ts';
import { loadModel, Model, type LlamaModel } from '../../src/model/index.ts';
import { testModel, TINY_MODEL_NAMES } from '../helpers/test-models.ts';
import { cpuLogits } from './cpu-forward.ts';
import { PROMPT } from './prompt.ts';
import { cachedDistributions, divergence, llamaCppDistributions, softmaxRow, type RefPosition } from './reference.ts';

const TYPES = ['f32', 'f16', 'q8_0', 'Q4_0', 'Q4_K_M', 'Q6_K'];
/** Weight types also run with 8- and 4-bit KV (each KV width costs a forward per file). */
const KV_TYPES = new Set(['f32', 'Q4_K_M']);
/**
 * Max |Δp| of the 'f32' forward against the exact forward with the same KV format.
 * Measured: at most 1.4e-5 at every width (a K/V element whose f32 value, ours, and f64
 * value, exact, round to neighbouring 8- or 4-bit codes would move by a whole step, but
 * none does on these files).
 */
const MAX_DP_EXACT: Record<KvBits, number> = { 16: 2e-3, 8: 2e-3, 4: 2e-3 };
/** The issue's bound against llama.cpp (16-bit KV). */
const MAX_DP_LLAMA = 2e-3;
/**
 * Where llama.cpp is further than the issue's bound, for each attention rounding, with
 * the causes docs/model.md ("Parity") names:
 *   'f32': basert attends in f32; llama.cpp's CPU flash attention for fewer than 64
 *     queries rounds q to f16 and accumulates the output in f16, key by key. With q8
 *     activations such small changes of a layer's input land some inputs on the other side
 *     of a q8 step, so they move probabilities by up to 2.4e-3.
 *   'llamacpp' (--numerics llamacpp): none; every file is within MAX_DP_LLAMA since the
 *     RMS norm gives ggml's bits (tiny-qwen3 Q6_K was 3.0e-3 before).
 *   maxDp: the file's bound over MAX_DP_LLAMA (the measured value rounded up); the test
 *     fails once the file meets MAX_DP_LLAMA, so the list cannot go stale that way.
 *   top1: positions where our top-1 may differ from llama.cpp's although llama.cpp's
 *     leader is more than TIE ahead of ours, with a bound on that lead (measured, rounded up).
 */
type Gap = { maxDp?: number; top1?: Record<number, number> };
const CAUSES: Record<AttentionRounding, string> = {
  f32: "basert's f32 attention (llama.cpp: q in f16, f16 flash-attention accumulator)",
  llamacpp: 'a rounding llama.cpp does that basert does not (none known: every file was within 2e-3)',
};
const LLAMA_GAPS: Record<AttentionRounding, Record<string, Gap>> = {
  f32: {
    'tiny-llama q8_0': { maxDp: 3e-3 }, // measured 2.3e-3
    'tiny-qwen2 q8_0': { maxDp: 3e-3 }, // 2.2e-3
    'tiny-qwen2 Q4_0': { maxDp: 3e-3 }, // 2.4e-3
    'tiny-qwen2 Q4_K_M': { maxDp: 3e-3, top1: { 13: 1.5e-3 } }, // 2.2e-3; llama.cpp's leader 1.1e-3 ahead of ours
    'tiny-qwen2 Q6_K': { maxDp: 3e-3 }, // 2.2e-3
  },
  llamacpp: {},
};
/** Max |Δp| against llama.cpp's f16 cache with our 8- and 4-bit caches ('q8' activations). */
const MAX_DP_LLAMA_KV: Record<8 | 4, number> = { 8: 2.5e-2, 4: 0.2 };
/**
 * The llamaCpp CPU forward against llama.cpp. It matches to the references' resolution
 * (~8e-5, the top-2000 cut) up to the first position where one of its roundings lands on
 * the other side of a q8 or f16 step than llama.cpp's (its f32 sums run in another order);
 * that flip then reaches every later position through the cache (1.3e-3 at most).
 */
const MAX_DP_EMULATED = 2e-3;
const EXACT_KEY = createHash('sha256')
  .update(['./cpu-forward.ts', '../../src/model/rope.ts', '../../src/cpu/kv-write.ts'].map((f) => readFileSync(new URL(f, import.meta.url))).join('\n'))
  .digest('hex');

let gpu: GpuDevice;
before(async () => {
  gpu = await acquireDevice(await findNodeGpu());
});
after(() => gpu?.destroy());

const rows: string[] = [];
after(() => console.log(['# arch type kv: same top-1 / max |Δp|: f32 activations vs exact | q8 vs llama.cpp | q8 + llamacpp attention vs llama.cpp | f32 acts vs llama.cpp | CPU llama.cpp model vs llama.cpp', ...rows].join('\n# ')));

interface Stats {
  same: number;
  /** Max |Δp| over the reference's top tokens (exact), and with the bound on the rest. */
  maxDpTop: number;
  maxDp: number;
  /** Positions where our top-1 differs from the reference's and that is not a tie. */
  unexplained: number[];
  /** At each of those, how far the reference's leader is ahead of our top-1 (1 if not in its top). */
  leads: number[];
}

/** Top-1 differences within this many probability units of the reference's leader are ties. */
const TIE = 1e-3;

function compare(ours: ReturnType<typeof softmaxRow>[], ref: RefPosition[]): Stats {
  const s: Stats = { same: 0, maxDpTop: 0, maxDp: 0, unexplained: [], leads: [] };
  ref.forEach((r, p) => {
    const d = divergence(ours[p], r);
    s.same += Number(d.top1);
    s.maxDpTop = Math.max(s.maxDpTop, d.maxDpTop);
    s.maxDp = Math.max(s.maxDp, d.maxDpTop, d.maxDpRest);
    const at = r.ids.indexOf(ours[p].argmax);
    const tie = at > 0 && r.probs[0] - r.probs[at] < TIE;
    if (!d.top1 && !tie) {
      s.unexplained.push(p);
      s.leads.push(at > 0 ? r.probs[0] - r.probs[at] : 1);
    }
  });
  return s;
}

const fmt = (s: Stats, n: number) => `${s.same}/${n} ${s.maxDpTop.toExponential(1)}${s.unexplained.length ? ` (top-1 at ${s.unexplained.map((p, i) => `${p}: lead ${s.leads[i].toExponential(1)}`)})` : ''}`;

/** The same weights and cache with other roundings. */
const withRounding = (m: Model, r: Pick<LlamaModel, 'activationQuant' | 'attentionRounding'>) =>
  new Model(m.gpu, { ...m.llama, ...r }, m.tokenizer, m.chatTemplate, m.cache, []);

for (const name of TINY_MODEL_NAMES) {
  describe(name, () => {
    for (const type of TYPES) {
      it(type, async () => {
        const what = `${name} ${type}`;
        const path = await testModel(name, type);
        const opened = await openModelSource({ kind: 'gguf', path, paths: [path] }, nodeFileHost);
        let model: Model | undefined;
        try {
          model = await loadModel(gpu, opened, { maxContext: 64 });
          const base = model;
          assert.equal(base.llama.activationQuant, 'q8', 'a GGUF loads with q8 activations');
          const ids = base.tokenizer.encode(PROMPT);
          assert.ok(ids.length >= 32, `prompt is ${ids.length} tokens`);
          const gguf = opened.kind === 'gguf' ? opened.gguf : assert.fail('not a GGUF');
          const neox = base.llama.rope.neox;
          const llama = await llamaCppDistributions(path, ids);
          const vsEmulated = compare((await cpuLogits(gguf, base.config, ids, neox, { llamaCpp: true })).map(softmaxRow), llama);
          for (const kvBits of KV_TYPES.has(type) ? ([16, 8, 4] as const) : ([16] as const)) {
            const exact = await cachedDistributions(path, `${EXACT_KEY}:kv${kvBits}`, ids, () => cpuLogits(gguf, base.config, ids, neox, { kvBits }));
            const q8 = kvBits === 16 ? base : base.withKvCache({ kvBits, blockSize: 16, numBlocks: 4 });
            try {
              const run = async (m: Model) => {
                const logits = await m.logits({ tokens: ids, seqs: [{ blockTable: [0, 1, 2, 3], numComputed: 0, numNew: ids.length }] }, { allLogits: true });
                gpu.assertNoErrors(what);
                return ids.map((_, p) => softmaxRow(logits.subarray(p * m.vocabSize, (p + 1) * m.vocabSize)));
              };
              const f32Acts = await run(withRounding(q8, { activationQuant: 'f32' }));
              const vsExact = compare(f32Acts, exact);
              const vsLlama = compare(await run(q8), llama);
              const at = `${what} kv${kvBits}`;
              if (kvBits !== 16) {
                rows.push(`${at}: ${fmt(vsExact, ids.length)} | ${fmt(vsLlama, ids.length)}`);
                assert.deepEqual(vsExact.unexplained, [], `${at}: top-1 differs from the exact forward`);
                assert.ok(vsExact.maxDp < MAX_DP_EXACT[kvBits], `${at}: max |Δp| from the exact forward ${vsExact.maxDp}`);
                assert.ok(vsLlama.maxDp < MAX_DP_LLAMA_KV[kvBits], `${at}: max |Δp| from llama.cpp ${vsLlama.maxDp}`);
                continue;
              }
              const vsLlamaAttn = compare(await run(withRounding(q8, { attentionRounding: 'llamacpp' })), llama);
              const f32VsLlama = compare(f32Acts, llama);
              rows.push(`${at}: ${fmt(vsExact, ids.length)} | ${fmt(vsLlama, ids.length)} | ${fmt(vsLlamaAttn, ids.length)} | ${fmt(f32VsLlama, ids.length)} | ${fmt(vsEmulated, ids.length)}`);
              assert.deepEqual(vsExact.unexplained, [], `${at}: top-1 differs from the exact forward`);
              assert.ok(vsExact.maxDp < MAX_DP_EXACT[kvBits], `${at}: max |Δp| from the exact forward ${vsExact.maxDp}`);
              for (const [rounding, vs] of [['f32', vsLlama], ['llamacpp', vsLlamaAttn]] as const) {
                const where = `${at} (attention ${rounding})`;
                const gap = LLAMA_GAPS[rounding][what] ?? {};
                vs.unexplained.forEach((p, i) => {
                  const allowed = gap.top1?.[p];
                  assert.ok(allowed !== undefined && vs.leads[i] < allowed, `${where}: top-1 differs from llama.cpp at position ${p}, where its leader is ${vs.leads[i]} ahead of ours`);
                });
                if (gap.maxDp) {
                  assert.ok(vs.maxDp < gap.maxDp, `${where}: max |Δp| from llama.cpp ${vs.maxDp} (over ${MAX_DP_LLAMA}: ${CAUSES[rounding]})`);
                  assert.ok(vs.maxDp >= MAX_DP_LLAMA, `${where}: now within ${MAX_DP_LLAMA} of llama.cpp (${vs.maxDp}); remove it from LLAMA_GAPS`);
                } else {
                  assert.ok(vs.maxDp < MAX_DP_LLAMA, `${where}: max |Δp| from llama.cpp ${vs.maxDp}`);
                }
              }
              assert.deepEqual(vsEmulated.unexplained, [], `${what}: the CPU llama.cpp model's top-1 differs from llama.cpp`);
              assert.ok(vsEmulated.maxDp < MAX_DP_EMULATED, `${what}: the CPU llama.cpp model is ${vsEmulated.maxDp} from llama.cpp`);
            } finally {
              if (q8 !== base) q8.destroy();
            }
          }
        } finally {
          model?.destroy();
          await opened.close();
        }
      });
    }
  });
}
