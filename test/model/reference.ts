// llama.cpp's next-token distributions for a prompt, at every position, and how far ours
// are from them. node-llama-cpp returns full probability maps slowly (~100 ms a position
// for a 152k vocabulary), so we take the top REF_TOP logits plus the softmax denominator
// (sum of exp(logit - max)), which give those tokens' probabilities exactly, and bound
// the rest: every other token has p_ref <= the smallest top probability. The exact f64
// CPU forward's answers (cpu-forward.ts) take the same form. Results are cached beside the
// GGUF file (whose folder is keyed by the converter's sources), keyed by the prompt and
// the llama.cpp version or the CPU forward's code.
import { createHash } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
// @ts-expect-error plain-JS script without types
import { LLAMA_REF_VERSION } from '../../scripts/setup-llama-ref.mjs';
import { llamaRef } from '../helpers/llama-ref.ts';

export const REF_TOP = 2000;

export interface RefPosition {
  /** Top REF_TOP token ids, best first, and their probabilities. */
  readonly ids: Int32Array;
  readonly probs: Float64Array;
}

type Top = { ids: Int32Array; logits: Float32Array; totals: Float64Array };

async function llamaCppTop(gguf: string, tokens: readonly number[]): Promise<Top> {
  const model = await (await llamaRef()).loadModel({ modelPath: gguf });
  try {
    const ctx = await model.createContext({ contextSize: Math.max(64, tokens.length + 8), batchSize: Math.max(64, tokens.length), threads: 2 });
    try {
      const generateNext = { logits: { filter: { tokens: [], includeTop: REF_TOP } }, totalLogitWeight: true };
      // The typed helper declares only the boolean forms; the filter form is node-llama-cpp's too.
      const out = await ctx.getSequence().controlledEvaluate(tokens.map((t) => [t, { generateNext: generateNext as never }]));
      const top = newTop(tokens.length);
      out.forEach((o, p) => {
        const next = o?.next as { logits?: Map<number, number>; totalLogitWeight?: number } | undefined;
        if (!next?.logits || next.totalLogitWeight === undefined) throw new Error(`llama.cpp gave no logits at position ${p}`);
        [...next.logits].sort((a, b) => b[1] - a[1]).forEach(([id, l], i) => {
          top.ids[p * REF_TOP + i] = id;
          top.logits[p * REF_TOP + i] = l;
        });
        top.totals[p] = next.totalLogitWeight;
      });
      return top;
    } finally {
      await ctx.dispose();
    }
  } finally {
    await model.dispose();
  }
}

function newTop(P: number): Top {
  return { ids: new Int32Array(P * REF_TOP), logits: new Float32Array(P * REF_TOP), totals: new Float64Array(P) };
}

/** Full logit rows -> the same top-REF_TOP form llama.cpp's answer takes. */
export function topOf(rows: readonly ArrayLike<number>[]): Top {
  const top = newTop(rows.length);
  rows.forEach((row, p) => {
    // The REF_TOP-th largest value (a native numeric sort), then only those above it sorted.
    const cut = Float64Array.from(row).sort()[row.length - REF_TOP];
    const order: number[] = [];
    for (let i = 0; i < row.length; i++) if (row[i] >= cut) order.push(i);
    order.sort((a, b) => row[b] - row[a]);
    let total = 0;
    for (let i = 0; i < row.length; i++) total += Math.exp(row[i] - row[order[0]]);
    for (let i = 0; i < REF_TOP; i++) {
      top.ids[p * REF_TOP + i] = order[i];
      top.logits[p * REF_TOP + i] = row[order[i]];
    }
    top.totals[p] = total;
  });
  return top;
}

/** `produce`'s answer for (gguf, tokens, key), cached beside the GGUF file. */
async function cached(gguf: string, kind: string, key: string, tokens: readonly number[], produce: () => Promise<Top>): Promise<RefPosition[]> {
  const hash = createHash('sha256').update(`${key}:${REF_TOP}:${tokens.join(',')}`).digest('hex').slice(0, 12);
  const path = `${gguf}.${kind}-${hash}.bin`;
  const P = tokens.length;
  const size = P * REF_TOP * 8 + P * 8;
  const file = await readFile(path).catch(() => null);
  let raw: Top;
  if (file && file.byteLength === size) {
    const buf = file.buffer.slice(file.byteOffset, file.byteOffset + size);
    raw = { ids: new Int32Array(buf, 0, P * REF_TOP), logits: new Float32Array(buf, P * REF_TOP * 4, P * REF_TOP), totals: new Float64Array(buf, P * REF_TOP * 8, P) };
  } else {
    raw = await produce();
    const tmp = `${path}.${process.pid}.tmp`;
    await writeFile(tmp, Buffer.concat([Buffer.from(raw.ids.buffer), Buffer.from(raw.logits.buffer), Buffer.from(raw.totals.buffer)]));
    await rename(tmp, path);
  }
  return Array.from({ length: P }, (_, p) => {
    const logits = raw.logits.subarray(p * REF_TOP, (p + 1) * REF_TOP);
    return { ids: raw.ids.slice(p * REF_TOP, (p + 1) * REF_TOP), probs: Float64Array.from(logits, (l) => Math.exp(l - logits[0]) / raw.totals[p]) };
  });
}

/** llama.cpp's distribution after each prefix of `tokens` (position p: after tokens[0..p]). */
export function llamaCppDistributions(gguf: string, tokens: readonly number[]): Promise<RefPosition[]> {
  return cached(gguf, 'llama-cpp', LLAMA_REF_VERSION, tokens, () => llamaCppTop(gguf, tokens));
}

/** Distributions from `rows()` (an exact CPU forward), cached under `key` (a hash of its code). */
export function cachedDistributions(gguf: string, key: string, tokens: readonly number[], rows: () => Promise<readonly ArrayLike<number>[]>): Promise<RefPosition[]> {
  return cached(gguf, 'exact', key, tokens, async () => topOf(await rows()));
}

export interface Divergence {
  /** Our argmax equals the reference's. */
  readonly top1: boolean;
  /** Max |p_ours - p_ref| over the reference's top tokens (exact). */
  readonly maxDpTop: number;
  /** A bound on it over all other tokens: max(p_ours, the reference's smallest top p). */
  readonly maxDpRest: number;
}

/** softmax of one row of logits, in f64, and its argmax. */
export function softmaxRow(logits: ArrayLike<number>): { p: Float64Array; argmax: number } {
  let argmax = 0;
  for (let i = 1; i < logits.length; i++) if (logits[i] > logits[argmax]) argmax = i;
  const p = new Float64Array(logits.length);
  let sum = 0;
  for (let i = 0; i < p.length; i++) sum += p[i] = Math.exp(logits[i] - logits[argmax]);
  for (let i = 0; i < p.length; i++) p[i] /= sum;
  return { p, argmax };
}

const mask = new Uint8Array(1 << 18);

/** Compares our distribution (softmaxRow of our logits) with a reference's at the same position. */
export function divergence(ours: { p: Float64Array; argmax: number }, ref: RefPosition): Divergence {
  const { p } = ours;
  const m = mask.length >= p.length ? mask.fill(0, 0, p.length) : new Uint8Array(p.length);
  let maxDpTop = 0;
  ref.ids.forEach((id, i) => {
    m[id] = 1;
    maxDpTop = Math.max(maxDpTop, Math.abs(p[id] - ref.probs[i]));
  });
  let maxDpRest = ref.probs[ref.probs.length - 1];
  for (let i = 0; i < p.length; i++) if (!m[i] && p[i] > maxDpRest) maxDpRest = p[i];
  return { top1: ours.argmax === ref.ids[0], maxDpTop, maxDpRest };
}
