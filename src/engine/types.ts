// The engine's public contract: what a caller (the HTTP server, the browser worker, the
// CLI) hands in and what streams back. Token ids in, token ids and text deltas out; no
// HTTP or OpenAI wire shapes here (src/server maps these to those).
import type { CompiledGrammar } from '../constrain/index.ts';
import type { SamplingParams } from '../sample/params.ts';

export type FinishReason = 'stop' | 'length' | 'abort' | 'timeout';

export interface EngineRequest {
  /** The prompt's token ids (already templated and tokenized). */
  readonly promptIds: readonly number[];
  /** Resolved sampling params (resolveSamplingParams); seed absent = the engine draws one. */
  readonly sampling: SamplingParams;
  /** Most tokens to generate per choice; absent = what the context leaves. */
  readonly maxTokens?: number;
  /** Stop strings: matched across token boundaries, never streamed, not part of the text. */
  readonly stop?: readonly string[];
  /** Extra ids that end a choice (the tokenizer's stop ids always do unless ignoreEos). */
  readonly stopTokenIds?: readonly number[];
  /** Keep going past the tokenizer's EOS/EOT ids (stopTokenIds still stop). */
  readonly ignoreEos?: boolean;
  /** Choices sampled from one prompt (default 1); they share the prompt's KV blocks.
   *  Choice i uses seed + i when a seed is given. */
  readonly n?: number;
  /** Aborts the request (client gone): its blocks are freed at once. */
  readonly signal?: AbortSignal;
  /** Finish with 'timeout' after this many ms from add(). */
  readonly timeoutMs?: number;
  /** Salts the prefix-cache hashes (anything else that changes the KV, e.g. a LoRA id). */
  readonly cacheSalt?: string;
  /** Text detokenized as the prompt's continuation (default true). */
  readonly skipSpecialTokens?: boolean;
  /** Constrained decoding: each choice's output is a sentence of this grammar. */
  readonly constraint?: EngineConstraint;
}

/**
 * A grammar every choice must follow (src/constrain): each step the tokens it does not
 * allow are masked on the GPU before sampling, and a choice ends ('stop') once its output
 * is complete and nothing may follow. Near maxTokens the mask also keeps the output
 * completable, so it ends complete; 'length' then says the limit forced it to close early.
 */
export interface EngineConstraint {
  /** Compile once per distinct grammar (compileGrammar) and reuse: mask caches live on it. */
  readonly grammar: CompiledGrammar;
}

export interface TokenLogprob {
  id: number;
  /** Raw model log-probability of `id`. */
  logprob: number;
  /** The top_logprobs most likely tokens at this position, most likely first. */
  top: { id: number; logprob: number }[];
}

/** One delta of one choice. The last delta of a choice carries finishReason. */
export interface EngineOutput {
  /** Choice index, 0..n-1. */
  index: number;
  /** Token ids generated since the previous delta (a matched stop id is not included). */
  ids: number[];
  /** Text those ids complete, minus anything held back as a possible stop-string start. */
  text: string;
  /** One per id in `ids`, when sampling.logprobs. */
  logprobs?: TokenLogprob[];
  finishReason?: FinishReason;
  /** What stopped it: the matched stop string, or the stop token id. */
  stopReason?: string | number;
}

export interface EngineUsage {
  promptTokens: number;
  /** Generated tokens over all choices. */
  completionTokens: number;
  /** Prompt tokens served from the prefix cache rather than computed. */
  cachedPromptTokens: number;
}

/** A request in flight: iterate it for deltas (all choices interleaved), then read usage. */
export interface RequestHandle extends AsyncIterable<EngineOutput> {
  readonly id: string;
  /** Resolves when every choice has finished (also after abort); rejects on engine failure. */
  readonly done: Promise<EngineUsage>;
  abort(): void;
}

/** Figures for /metrics. */
export interface EngineStats {
  running: number;
  waiting: number;
  kvBlocksTotal: number;
  kvBlocksUsed: number;
  /** Prompt tokens looked up in / served from the prefix cache since start. */
  prefixQueryTokens: number;
  prefixHitTokens: number;
  promptTokens: number;
  generatedTokens: number;
  steps: number;
  preemptions: number;
}

/** A request the engine refuses before doing any work. */
export class EngineRequestError extends Error {
  override name = 'EngineRequestError';
  constructor(
    readonly code: 'context_length_exceeded' | 'invalid_request' | 'engine_stopped',
    message: string,
    readonly param?: string,
  ) {
    super(message);
  }
}
