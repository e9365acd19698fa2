// What chat and text completions share: the model lease, sampling params and engine
// requests with their failures mapped to OpenAI errors, finish reasons, logprobs, ids,
// and the accounting done when a generation ends (usage, metrics, rate limits, log).
import type { ModelLease, ModelType } from '../engine/model-registry.ts';
import { RegistryClosedError, UnknownModelError } from '../engine/model-registry.ts';
import { EngineRequestError, type EngineRequest, type EngineUsage, type FinishReason, type RequestHandle, type TokenLogprob } from '../engine/types.ts';
import { resolveSamplingParams, SamplingParamError, type SamplingParams, type SamplingParamsInput } from '../sample/params.ts';
import type { Tokenizer } from '../text/index.ts';
import type { RequestContext, ServerDeps } from './deps.ts';
import { ApiError, deviceLostError, invalidRequest, modelNotFound, unavailable, unsupported } from './errors.ts';
import type { ChatLogprobEntry, Usage } from './wire/chat.ts';

export const SYSTEM_FINGERPRINT = 'basert';

/** `chatcmpl-` + 24 random hex digits. */
export function newId(prefix: string): string {
  const b = crypto.getRandomValues(new Uint8Array(12));
  return `${prefix}${Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')}`;
}

export type Use = 'chat' | 'completion' | 'tokenize';

/** The model for a request, loaded if need be; 404 unknown, 501 wrong kind, 503 shutting down. */
export async function leaseModel(deps: ServerDeps, ctx: RequestContext, id: string, use: Use): Promise<ModelLease> {
  ctx.record.model = id;
  const spec = deps.registry.spec(id);
  if (!spec) throw modelNotFound(id);
  checkUse(id, spec.type, use);
  try {
    return await deps.registry.acquire(id);
  } catch (e) {
    if (e instanceof UnknownModelError) throw modelNotFound(id);
    if (e instanceof RegistryClosedError) throw unavailable('The server is shutting down.', 'server_draining');
    throw new ApiError(500, 'server_error', `The model '${id}' failed to load: ${(e as Error).message}`, 'model', 'model_load_failed');
  }
}

function checkUse(id: string, type: ModelType, use: Use): void {
  if (type === 'embedding' && use !== 'tokenize') throw unsupported(`The model '${id}' is an embedding model; it does not generate text.`, 'model');
  if (type === 'completion' && use === 'chat') throw unsupported(`The model '${id}' is configured as a completion model; use /v1/completions.`, 'model');
}

/** Sampling params from request fields, with the model's default temperature. */
export function samplingFrom(fields: SamplingParamsInput, opts: { vocabSize: number; defaultTemperature?: number }): SamplingParams {
  const input = { ...fields };
  if ((input.temperature === undefined || input.temperature === null) && opts.defaultTemperature !== undefined) input.temperature = opts.defaultTemperature;
  try {
    return resolveSamplingParams(input, { vocabSize: opts.vocabSize });
  } catch (e) {
    if (e instanceof SamplingParamError) throw invalidRequest(e.message, e.param, 'invalid_value');
    throw e;
  }
}

/** engine.add with refusals as 400s (context_length_exceeded keeps its code). */
export function startRequest(engine: { add(r: EngineRequest): RequestHandle }, req: EngineRequest, promptParam: string): RequestHandle {
  try {
    return engine.add(req);
  } catch (e) {
    if (!(e instanceof EngineRequestError)) throw e;
    if (e.code === 'engine_stopped') throw unavailable(e.message, 'model_unloaded');
    const param = e.param === 'messages' || e.param === 'prompt' ? promptParam : (e.param ?? null);
    throw invalidRequest(e.message, param, e.code === 'invalid_request' ? 'invalid_value' : e.code);
  }
}

/** max_tokens to ask for: the client's, else the server default within what the context leaves. */
export function maxTokensFor(requested: number | null | undefined, promptTokens: number, maxContext: number, defaultMax: number): number {
  if (requested !== undefined && requested !== null) return requested;
  return Math.max(1, Math.min(defaultMax, maxContext - promptTokens));
}

/** OpenAI has no 'timeout' or 'abort': a timed-out choice was cut short ('length'). */
export function wireFinish(r: FinishReason): 'stop' | 'length' {
  return r === 'length' || r === 'timeout' ? 'length' : 'stop';
}

export function usageOf(u: EngineUsage): Usage {
  return {
    prompt_tokens: u.promptTokens,
    completion_tokens: u.completionTokens,
    total_tokens: u.promptTokens + u.completionTokens,
    prompt_tokens_details: { cached_tokens: u.cachedPromptTokens },
  };
}

const utf8 = (s: string) => Array.from(new TextEncoder().encode(s));

/** Chat logprobs: one entry per generated token. */
export function chatLogprobs(tok: Pick<Tokenizer, 'decode'>, lps: readonly TokenLogprob[]): ChatLogprobEntry[] {
  return lps.map((lp) => {
    const token = tok.decode([lp.id]);
    return {
      token, logprob: lp.logprob, bytes: utf8(token),
      top_logprobs: lp.top.map((t) => {
        const s = tok.decode([t.id]);
        return { token: s, logprob: t.logprob, bytes: utf8(s) };
      }),
    };
  });
}

/**
 * Books a finished generation: usage on the record (access log), metrics, and the
 * client's token budget. `firstTokenAt` is null when nothing was generated.
 */
export function account(deps: ServerDeps, ctx: RequestContext, model: string, usage: EngineUsage, firstTokenAt: number | null): void {
  ctx.record.promptTokens += usage.promptTokens;
  ctx.record.completionTokens += usage.completionTokens;
  const now = deps.now();
  deps.metrics.generation(model, {
    promptTokens: usage.promptTokens, completionTokens: usage.completionTokens, cachedTokens: usage.cachedPromptTokens,
    ttft: firstTokenAt === null ? null : (firstTokenAt - ctx.record.start) / 1000,
    total: (now - ctx.record.start) / 1000,
  });
  deps.limiter.spend(ctx.client, usage.promptTokens + usage.completionTokens);
}

/** The JSON an error mid-stream sends before [DONE]. */
export function streamErrorEvent(e: unknown): unknown {
  if (e instanceof ApiError) return e.body();
  const lost = deviceLostError(e);
  if (lost) return lost.body();
  return { error: { message: `generation failed: ${(e as Error)?.message ?? e}`, type: 'server_error', param: null, code: 'internal_error' } };
}
