// One sequence, start to finish, as a plain async generator of token ids: the Engine with
// one lane and the whole KV cache, for tools (basert run, bench/decode) that want ids and
// timings rather than request handles.
import type { Model } from '../model/index.ts';
import { samplingParams, type SamplingParams } from '../sample/params.ts';
import { Engine } from './engine.ts';

export interface GenerateOptions {
  /** Tokens to generate at most. */
  maxTokens: number;
  /** Absent or temperature 0: greedy. */
  sampling?: SamplingParams;
  /** Seed for sampling (default: sampling.seed, else random). */
  seed?: number;
  /** Ids that end generation (default: the tokenizer's stop ids). The stop id is not yielded. */
  stopIds?: readonly number[];
  /** Prompt tokens per prefill step (default 512, within the model's step limit). */
  prefillChunk?: number;
  signal?: AbortSignal;
}

export interface GenerateStats {
  promptTokens: number;
  generatedTokens: number;
  /** Milliseconds from the start to the first generated token (prefill included). */
  firstTokenMs: number;
  /** Milliseconds spent on the tokens after the first. */
  decodeMs: number;
  finishReason: 'stop' | 'length' | 'abort';
}

const GREEDY = samplingParams({ temperature: 0 });

/** Yields generated ids as they come; returns the run's statistics. */
export async function* generate(model: Model, promptIds: readonly number[], opts: GenerateOptions): AsyncGenerator<number, GenerateStats> {
  if (promptIds.length === 0) throw new RangeError('generate: empty prompt');
  const capacity = model.kvCapacity;
  if (promptIds.length >= capacity) throw new RangeError(`generate: a prompt of ${promptIds.length} tokens leaves no room in a KV cache of ${capacity} tokens`);
  const started = performance.now();
  const stats: GenerateStats = { promptTokens: promptIds.length, generatedTokens: 0, firstTokenMs: 0, decodeMs: 0, finishReason: 'length' };
  const engine = new Engine(model, { tokenBudget: opts.prefillChunk });
  const maxTokens = Math.min(opts.maxTokens, engine.maxContext - promptIds.length);
  if (maxTokens <= 0) return stats;
  const base = opts.sampling ?? GREEDY;
  const seed = opts.seed ?? base.seed;
  const h = engine.add({
    promptIds,
    sampling: seed === undefined ? base : { ...base, seed },
    maxTokens,
    ignoreEos: true,
    stopTokenIds: opts.stopIds ?? model.tokenizer.special.stop,
    signal: opts.signal,
  });
  let firstAt = started;
  try {
    for await (const o of h) {
      for (const id of o.ids) {
        if (stats.generatedTokens++ === 0) firstAt = performance.now();
        yield id;
      }
      if (o.finishReason) stats.finishReason = o.finishReason === 'stop' ? 'stop' : o.finishReason === 'length' ? 'length' : 'abort';
    }
    await h.done;
  } finally {
    await engine.close();
  }
  stats.firstTokenMs = firstAt - started;
  stats.decodeMs = performance.now() - firstAt;
  return stats;
}
