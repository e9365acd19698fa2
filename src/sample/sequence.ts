// What the sampler needs per sequence besides its params: the seed and step counter its
// random numbers come from, and the token counts the penalties read. Penalties and
// logit_bias become one sparse list of per-token edits, shared by the GPU kernel
// (shaders/sample-penalize.wgsl) and the CPU reference (src/cpu/sample.ts).

import type { SamplingParams } from './params.ts';

export interface SeqSampling {
  params: SamplingParams;
  /** The request's seed (params.seed, or one the engine drew when it had none). */
  seed: number;
  /** Tokens this sequence has sampled so far. The draw uses hash(seed, step) only, so the
   *  same (seed, step) gives the same token wherever the sequence sits in the batch. */
  step: number;
  /** Token history for presence/frequency/repetition penalties; omit when none is set. */
  counts?: TokenCounts;
  /** Constrained decoding: the tokens allowed this step, ceil(vocab / 32) words (bit
   *  id & 31 of word id >> 5 set = allowed; src/sample/mask.ts). Omit for a free row. */
  mask?: Uint32Array;
}

/** Per-sequence token history: how often each token was generated, and whether it occurs
 *  in the prompt (repetition_penalty covers both; presence/frequency only the output). */
export class TokenCounts {
  /** id -> output count * 2 + (in prompt ? 1 : 0) */
  private readonly m = new Map<number, number>();

  addPrompt(ids: Iterable<number>): this {
    for (const id of ids) this.m.set(id, (this.m.get(id) ?? 0) | 1);
    return this;
  }

  addOutput(id: number): this {
    this.m.set(id, (this.m.get(id) ?? 0) + 2);
    return this;
  }

  get size(): number {
    return this.m.size;
  }

  outputCount(id: number): number {
    return (this.m.get(id) ?? 0) >>> 1;
  }

  /** [id, output count, in prompt] for every token seen. */
  *entries(): IterableIterator<[number, number, boolean]> {
    for (const [id, v] of this.m) yield [id, v >>> 1, (v & 1) === 1];
  }
}

/**
 * One token's logit edit, in f32 as the kernel does it:
 *   v = x + bias;  v = v > 0 ? v * mulPos : v * mulNeg;  v = v - sub
 * (vLLM's order: logit_bias, then repetition, then frequency + presence).
 */
export interface LogitEdit {
  id: number;
  bias: number;
  /** 1 / repetition_penalty for a seen token, else 1. */
  mulPos: number;
  /** repetition_penalty for a seen token, else 1. */
  mulNeg: number;
  /** frequency_penalty * output count + presence_penalty * (count > 0). */
  sub: number;
}

/** The edits a sequence's params make this step, one per token id (no-ops left out). */
export function logitEdits(p: SamplingParams, counts?: TokenCounts): LogitEdit[] {
  const edits = new Map<number, LogitEdit>();
  const edit = (id: number) => {
    let e = edits.get(id);
    if (!e) edits.set(id, (e = { id, bias: 0, mulPos: 1, mulNeg: 1, sub: 0 }));
    return e;
  };
  for (const [id, b] of p.logit_bias) edit(id).bias = b;
  const rep = p.repetition_penalty !== 1;
  const outPen = p.presence_penalty !== 0 || p.frequency_penalty !== 0;
  if (counts && (rep || outPen)) {
    for (const [id, count] of counts.entries()) {
      if (!rep && count === 0) continue; // prompt-only token, only repetition_penalty reads those
      const e = edit(id);
      if (rep) {
        e.mulPos = Math.fround(1 / p.repetition_penalty);
        e.mulNeg = p.repetition_penalty;
      }
      if (count > 0) e.sub = p.frequency_penalty * count + p.presence_penalty;
    }
  }
  return [...edits.values()].sort((a, b) => a.id - b.id);
}
