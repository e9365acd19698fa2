// The engine: many requests share one model. add() checks a request against the context
// and queues its choices; a step loop runs while work exists, each step being one
// scheduled batch -> one batched forward + GPU sampling in a single submission -> outputs
// pushed to each request's stream. Aborts and timeouts free a request's blocks at once.
// See docs/engine.md.
import { GrammarMatcher, tokenBytesOf, TokenVocab } from '../constrain/index.ts';
import { GpuStep } from '../gpu/step.ts';
import { DeviceLostError, submitStep, type Model } from '../model/index.ts';
import { sample, type SampleResult } from '../sample/gpu-sampler.ts';
import { samplingParams, type SamplingParams } from '../sample/params.ts';
import type { SeqSampling } from '../sample/sequence.ts';
import { AsyncQueue } from './async-queue.ts';
import { BlockManager } from './block-manager.ts';
import { attachPrefixCacheFile, type PrefixCacheFileOptions, type PrefixCacheFileHandle } from './prefix-cache-attach.ts';
import { Scheduler, type ScheduledSeq } from './scheduler.ts';
import { Sequence } from './sequence.ts';
import { EngineRequestError, type EngineOutput, type EngineRequest, type EngineStats, type EngineUsage, type RequestHandle, type TokenLogprob } from './types.ts';

export interface EngineOptions {
  /** Sequences per batch without continuous batching (default 1). */
  maxBatchSize?: number;
  /** Continuous batching with this many in-flight lanes (0 or absent: off). */
  continuousBatching?: number;
  /** Share the KV of common prompt prefixes across requests. */
  prefixCache?: boolean;
  /** Persist the prefix cache (implies prefixCache). */
  prefixCacheFile?: PrefixCacheFileOptions;
  /** Tokens per step (default 512, within the model's step limit). */
  tokenBudget?: number;
  /** Tokens one request may use, prompt + generated (default: the KV pool, at most the model's context). */
  maxContext?: number;
  /** Most choices per request (default 16). */
  maxChoices?: number;
  /** Diagnostics (a prefix-cache file ignored, a step failure). */
  log?: (message: string) => void;
}

const GREEDY: SamplingParams = samplingParams({ temperature: 0 });
const DEFAULT_TOKEN_BUDGET = 512;

/** One add(): its choices, its stream, its accounting. */
class RequestState {
  readonly queue: AsyncQueue<EngineOutput>;
  readonly seqs: Sequence[] = [];
  readonly usage: EngineUsage;
  readonly done: Promise<EngineUsage>;
  resolve!: (u: EngineUsage) => void;
  reject!: (e: unknown) => void;
  cleanup: (() => void)[] = [];

  constructor(readonly id: string, promptTokens: number, onReturn: () => void) {
    this.queue = new AsyncQueue<EngineOutput>(onReturn);
    this.usage = { promptTokens, completionTokens: 0, cachedPromptTokens: 0 };
    this.done = new Promise((res, rej) => ((this.resolve = res), (this.reject = rej)));
    this.done.catch(() => {}); // the stream reports the failure too
  }

  get finished(): boolean {
    return this.seqs.every((s) => s.finished);
  }
}

export class Engine {
  readonly maxContext: number;
  readonly blocks: BlockManager;
  private readonly sched: Scheduler;
  private readonly requests = new Set<RequestState>();
  private readonly owners = new Map<Sequence, RequestState>();
  private readonly maxChoices: number;
  private readonly counters = { promptTokens: 0, generatedTokens: 0, steps: 0 };
  private loop: Promise<void> | null = null;
  private stopped: Error | null = null;
  private nextId = 0;
  private readonly cacheFile: PrefixCacheFileHandle | null;
  private vocab: TokenVocab | null = null;
  /** Resolves once start-up work (loading a persisted prefix cache) is done. */
  readonly ready: Promise<void>;

  constructor(readonly model: Model, private readonly opts: EngineOptions = {}) {
    const { blockSize, numBlocks } = model.cache.config;
    const prefixCaching = Boolean(opts.prefixCache || opts.prefixCacheFile);
    this.blocks = new BlockManager({ numBlocks, blockSize, prefixCaching });
    const continuous = (opts.continuousBatching ?? 0) > 0;
    const lanes = Math.min(continuous ? opts.continuousBatching! : (opts.maxBatchSize ?? 1), model.maxLogitRows);
    const tokenBudget = Math.max(1, Math.min(opts.tokenBudget ?? DEFAULT_TOKEN_BUDGET, model.maxStepTokens));
    this.sched = new Scheduler(this.blocks, { lanes, continuous, tokenBudget });
    this.maxContext = Math.min(model.kvCapacity, model.config.maxPositionEmbeddings || Infinity, opts.maxContext ?? Infinity);
    this.maxChoices = opts.maxChoices ?? 16;
    this.cacheFile = opts.prefixCacheFile ? attachPrefixCacheFile(model, this.blocks, opts.prefixCacheFile, opts.log) : null;
    this.ready = this.cacheFile ? this.cacheFile.loaded : Promise.resolve();
  }

  /**
   * The model's vocabulary as constrained decoding sees it (token bytes in a trie; masks
   * are vocabSize bits wide), built on the first constrained request (~0.5 s for 152k
   * tokens) and kept.
   */
  tokenVocab(): TokenVocab {
    const tok = this.model.tokenizer;
    return (this.vocab ??= new TokenVocab({ size: this.model.vocabSize, tokenContent: tokenBytesOf(tok), stopIds: tok.special.stop }));
  }

  /** Queues a request; throws EngineRequestError before any work if it cannot run. */
  add(req: EngineRequest): RequestHandle {
    if (this.stopped) throw new EngineRequestError('engine_stopped', `the engine has stopped: ${this.stopped.message}`);
    const prompt = req.promptIds;
    const V = this.model.vocabSize;
    if (prompt.length === 0) throw new EngineRequestError('invalid_request', 'the prompt is empty', 'prompt');
    for (const id of prompt) {
      if (!(Number.isInteger(id) && id >= 0 && id < V)) throw new EngineRequestError('invalid_request', `prompt token ${id} is outside the vocabulary of ${V}`, 'prompt');
    }
    const n = req.n ?? 1;
    if (!(Number.isInteger(n) && n >= 1 && n <= this.maxChoices)) throw new EngineRequestError('invalid_request', `n must be an integer in [1, ${this.maxChoices}], got ${n}`, 'n');
    if (prompt.length >= this.maxContext) {
      throw new EngineRequestError('context_length_exceeded', `the prompt has ${prompt.length} tokens; this model's context is ${this.maxContext} tokens and needs room for at least one more`, 'messages');
    }
    const room = this.maxContext - prompt.length;
    if (req.maxTokens !== undefined) {
      if (!(Number.isInteger(req.maxTokens) && req.maxTokens >= 1)) throw new EngineRequestError('invalid_request', `max_tokens must be a positive integer, got ${req.maxTokens}`, 'max_tokens');
      if (req.maxTokens > room) {
        throw new EngineRequestError('context_length_exceeded', `this model's context is ${this.maxContext} tokens; the prompt (${prompt.length}) plus max_tokens (${req.maxTokens}) is ${prompt.length + req.maxTokens}`, 'max_tokens');
      }
    }
    const maxTokens = req.maxTokens ?? room;
    const stopIds = new Set<number>([...(req.ignoreEos ? [] : this.model.tokenizer.special.stop), ...(req.stopTokenIds ?? [])]);
    const vocab = req.constraint ? this.tokenVocab() : null;
    const id = `req-${++this.nextId}`;
    const state = new RequestState(id, prompt.length, () => this.abort(state));
    for (let i = 0; i < n; i++) {
      const seed = req.sampling.seed !== undefined ? req.sampling.seed + i : Math.floor(Math.random() * 2 ** 31);
      state.seqs.push(
        new Sequence({
          id: `${id}:${i}`,
          index: i,
          prompt,
          params: req.sampling,
          seed,
          maxTokens,
          stopIds,
          stopStrings: req.stop ?? [],
          tokenizer: this.model.tokenizer,
          skipSpecialTokens: req.skipSpecialTokens ?? true,
          salt: req.cacheSalt ?? '',
          forkFrom: i > 0 ? state.seqs[0] : undefined,
          ...(vocab && { matcher: new GrammarMatcher(req.constraint!.grammar, vocab) }),
        }),
      );
    }
    if (req.signal) {
      if (req.signal.aborted) queueMicrotask(() => this.abort(state));
      else {
        const onAbort = () => this.abort(state);
        req.signal.addEventListener('abort', onAbort, { once: true });
        state.cleanup.push(() => req.signal!.removeEventListener('abort', onAbort));
      }
    }
    if (req.timeoutMs !== undefined) {
      const t = setTimeout(() => this.abort(state, 'timeout'), req.timeoutMs);
      state.cleanup.push(() => clearTimeout(t));
    }
    this.requests.add(state);
    for (const s of state.seqs) this.owners.set(s, state);
    this.counters.promptTokens += prompt.length;
    for (const s of state.seqs) this.sched.add(s);
    this.kick();
    return {
      id,
      done: state.done,
      abort: () => this.abort(state),
      [Symbol.asyncIterator]: () => state.queue,
    };
  }

  stats(): EngineStats {
    return {
      running: this.sched.running.length,
      waiting: this.sched.waiting.length,
      kvBlocksTotal: this.blocks.numBlocks,
      kvBlocksUsed: this.blocks.numUsedBlocks(),
      prefixQueryTokens: this.blocks.stats.queryTokens,
      prefixHitTokens: this.blocks.stats.hitTokens,
      promptTokens: this.counters.promptTokens,
      generatedTokens: this.counters.generatedTokens,
      steps: this.counters.steps,
      preemptions: this.sched.preemptions,
    };
  }

  /** Writes the prefix cache file now (when one is configured). */
  async savePrefixCache(): Promise<void> {
    await this.cacheFile?.save();
  }

  /** Aborts everything, saves the prefix cache (if configured), frees the KV cache. Idempotent. */
  async close(): Promise<void> {
    // Closed because the device is gone (a host reloading after a loss): what was in
    // flight failed, it was not cancelled by its client.
    const info = this.model.gpu.lostInfo;
    const lost = info ? new DeviceLostError(info.reason ?? 'unknown', info.message) : null;
    if (!this.stopped) this.stopped = lost ?? new Error('closed');
    for (const r of [...this.requests]) {
      if (lost) this.settle(r, lost);
      else this.abort(r);
    }
    await this.loop;
    if (this.cacheFile) {
      await this.cacheFile.close().catch((e: Error) => this.opts.log?.(`prefix cache: not saved: ${e.message}`));
    }
  }

  /** Ends every unfinished choice of `state` with `reason`; frees its blocks now. */
  private abort(state: RequestState, reason: 'abort' | 'timeout' = 'abort'): void {
    if (!this.requests.has(state)) return;
    for (const s of state.seqs) {
      if (s.finished) continue;
      this.sched.remove(s);
      state.queue.push(s.end(reason));
    }
    this.settle(state);
  }

  private settle(state: RequestState, error?: unknown): void {
    if (!this.requests.delete(state)) return;
    for (const s of state.seqs) this.owners.delete(s);
    for (const f of state.cleanup) f();
    if (error) {
      for (const s of state.seqs) if (!s.finished) this.sched.remove(s), s.end('abort');
      state.queue.fail(error);
      state.reject(error);
    } else {
      state.queue.close();
      state.resolve(state.usage);
    }
  }

  private kick(): void {
    if (this.loop) return;
    this.loop = this.run().finally(() => {
      this.loop = null;
      if (this.sched.hasWork && !this.stopped) this.kick();
    });
  }

  private async run(): Promise<void> {
    await this.ready;
    while (this.sched.hasWork && !this.stopped) {
      const batch = this.sched.schedule();
      if (batch.length === 0) {
        // Nothing can run although work waits: the head cannot get blocks even from an
        // idle pool (cannot happen for requests add() accepted; guard against a spin).
        const head = this.sched.waiting[0];
        const state = this.stateOf(head as Sequence);
        if (state) this.settle(state, new Error('the KV cache cannot hold this request'));
        else this.sched.remove(head);
        continue;
      }
      try {
        await this.step(batch);
      } catch (e) {
        this.fail(batch, e);
      }
    }
  }

  /** One batched forward + sampling; outputs pushed to their streams. */
  private async step(batch: ScheduledSeq[]): Promise<void> {
    const step = new GpuStep(this.model.gpu);
    const tokens: number[] = [];
    for (const b of batch) for (let i = 0; i < b.numNew; i++) tokens.push(b.seq.tokens[b.numComputed + i]);
    const out = this.model.forward(step, { tokens, seqs: batch.map((b) => ({ blockTable: b.blockTable, numComputed: b.numComputed, numNew: b.numNew })) });
    let result: Promise<SampleResult>;
    // Constrained choices whose grammar allows no token at all: they end instead of sampling.
    const deadEnds = new Set<Sequence>();
    try {
      const rows: SeqSampling[] = batch.map((b) => {
        const s = b.seq as Sequence;
        if (!b.samples) return { params: GREEDY, seed: 0, step: 0 };
        const row: SeqSampling = { params: s.params, seed: s.seed, step: s.generated, ...(s.counts && { counts: s.counts }) };
        if (s.matcher) {
          const mask = s.nextMask();
          if (mask) row.mask = mask;
          else deadEnds.add(s);
        }
        return row;
      });
      result = sample(step, out.logits, rows);
      result.catch(() => {}); // a failed submit reports it
      await submitStep(this.model.gpu, step);
    } finally {
      out.release();
    }
    const r = await result;
    this.counters.steps++;
    this.sched.complete(batch);
    batch.forEach((b, row) => {
      const seq = b.seq as Sequence;
      if (!b.samples || seq.finished) return;
      const state = this.stateOf(seq);
      if (!state) return;
      const lp = seq.params.logprobs ? logprobOf(r, row) : undefined;
      const dead = deadEnds.has(seq);
      const delta = dead ? seq.stopHere() : seq.accept(r.ids[row], lp);
      if (!dead) {
        this.counters.generatedTokens++;
        state.usage.completionTokens++;
      }
      if (seq.index === 0 && seq.generated === 1) state.usage.cachedPromptTokens = seq.numCachedTokens;
      state.queue.push(delta);
      if (seq.finished) {
        this.sched.remove(seq);
        if (state.finished) this.settle(state);
      }
    });
  }

  /** A step failed: a lost device stops the engine; anything else fails that batch's requests. */
  private fail(batch: ScheduledSeq[], e: unknown): void {
    const lost = e instanceof Error && e.name === 'DeviceLostError';
    if (lost) this.stopped = e as Error;
    this.opts.log?.(`engine step failed: ${(e as Error)?.message ?? e}`);
    const states = lost ? [...this.requests] : batch.map((b) => this.stateOf(b.seq as Sequence)).filter((s) => s !== undefined);
    for (const s of new Set(states)) this.settle(s, e);
  }

  private stateOf(seq: Sequence): RequestState | undefined {
    return this.owners.get(seq);
  }
}

function logprobOf(r: SampleResult, row: number): TokenLogprob {
  const lp = r.logprobs!;
  const top = lp.top[row];
  return { id: r.ids[row], logprob: lp.chosen[row], top: Array.from(top.ids, (id, k) => ({ id, logprob: top.logprobs[k] })) };
}
