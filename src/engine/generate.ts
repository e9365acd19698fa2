// One sequence, before the scheduler exists: prefill the prompt (in chunks of at most
// `prefillChunk` tokens), then decode a token per step until a stop id or the limit. Each
// step is one submission: the forward, then argmax (greedy) or the GPU sampler, and only
// the chosen id comes back. The sequence owns the whole KV cache (blocks 0..n-1).
import { argmax } from '../gpu/kernels/argmax.ts';
import { GpuStep } from '../gpu/step.ts';
import { createTensor } from '../gpu/tensor.ts';
import { submitStep, type Model } from '../model/index.ts';
import { sample } from '../sample/gpu-sampler.ts';
import { isGreedy, type SamplingParams } from '../sample/params.ts';

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

/** Yields generated ids as they come; returns the run's statistics. */
export async function* generate(model: Model, promptIds: readonly number[], opts: GenerateOptions): AsyncGenerator<number, GenerateStats> {
  if (promptIds.length === 0) throw new RangeError('generate: empty prompt');
  const capacity = model.kvCapacity;
  if (promptIds.length >= capacity) throw new RangeError(`generate: a prompt of ${promptIds.length} tokens leaves no room in a KV cache of ${capacity} tokens`);
  const stop = new Set(opts.stopIds ?? model.tokenizer.special.stop);
  const chunk = Math.max(1, Math.min(opts.prefillChunk ?? 512, model.maxStepTokens));
  const blockTable = Array.from({ length: model.cache.config.numBlocks }, (_, i) => i);
  const params = opts.sampling && !isGreedy(opts.sampling) ? opts.sampling : undefined;
  const seed = opts.seed ?? opts.sampling?.seed ?? Math.floor(Math.random() * 2 ** 31);
  const started = performance.now();
  let firstAt = started;
  let sampled = 0;

  /** One step: `tokens` after `numComputed` cached ones; returns the next id. */
  const step = async (tokens: readonly number[], numComputed: number): Promise<number> => {
    const s = new GpuStep(model.gpu);
    const out = model.forward(s, { tokens, seqs: [{ blockTable, numComputed, numNew: tokens.length }] });
    const ids = createTensor(model.gpu, [1], 'u32', undefined, { pooled: true, label: 'next-id' });
    try {
      let next: Promise<number>;
      if (params) next = sample(s, out.logits, [{ params, seed, step: sampled }]).then((r) => r.ids[0]);
      else {
        argmax(s, out.logits, model.vocabSize, ids);
        next = s.read(ids.binding(), 4).then((b) => new Uint32Array(b)[0]);
      }
      next.catch(() => {}); // a failed submit reports it
      await submitStep(model.gpu, s);
      return await next;
    } finally {
      out.release();
      ids.destroy();
    }
  };

  let computed = 0;
  while (promptIds.length - computed > chunk) {
    await step(promptIds.slice(computed, computed + chunk), computed);
    computed += chunk;
  }
  let next = await step(promptIds.slice(computed), computed);
  computed = promptIds.length;
  let finishReason: GenerateStats['finishReason'] = 'length';
  const limit = Math.min(opts.maxTokens, capacity - promptIds.length);
  while (sampled < limit) {
    if (sampled === 0) firstAt = performance.now();
    if (stop.has(next)) {
      finishReason = 'stop';
      break;
    }
    sampled++;
    yield next;
    if (opts.signal?.aborted) {
      finishReason = 'abort';
      break;
    }
    if (sampled === limit) break;
    next = await step([next], computed++);
  }
  const end = performance.now();
  return { promptTokens: promptIds.length, generatedTokens: sampled, firstTokenMs: firstAt - started, decodeMs: end - firstAt, finishReason };
}
