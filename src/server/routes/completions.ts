// POST /v1/completions, the legacy text endpoint: prompts as a string, strings, token ids
// or lists of token ids; n choices per prompt (choice index = prompt * n + choice);
// echo; logprobs as OpenAI's completions format (tokens, token_logprobs, top_logprobs,
// text_offset); streamed or whole.
import type { ServingEngine } from '../../engine/model-registry.ts';
import type { EngineOutput, EngineUsage, RequestHandle } from '../../engine/types.ts';
import { readJsonObject } from '../body.ts';
import { completionConstraint } from '../constraints.ts';
import type { RequestContext, ServerDeps } from '../deps.ts';
import { invalidRequest } from '../errors.ts';
import { account, leaseModel, maxTokensFor, newId, samplingFrom, startRequest, streamErrorEvent, SYSTEM_FINGERPRINT, usageOf, wireFinish } from '../generation.ts';
import { mergeStreams } from '../merge-streams.ts';
import { sseResponse } from '../sse.ts';
import { stopList } from '../wire/common.ts';
import { completionRequestSchema, type Completion, type CompletionLogprobs, type CompletionRequest } from '../wire/completions.ts';
import { parseRequest } from '../wire/validate.ts';

interface Prompt {
  ids: number[];
  text: string;
}

function prompts(engine: ServingEngine, p: CompletionRequest['prompt']): Prompt[] {
  const tok = engine.model.tokenizer;
  const list: (string | number[])[] = typeof p === 'string' ? [p] : p.length > 0 && typeof p[0] === 'number' ? [p as number[]] : (p as (string | number[])[]);
  return list.map((x, i) => {
    if (typeof x === 'string') {
      const ids = tok.encode(x);
      if (ids.length === 0) throw invalidRequest('The prompt is empty.', typeof p === 'string' ? 'prompt' : `prompt[${i}]`);
      return { ids, text: x };
    }
    const bad = x.find((id) => id >= engine.model.vocabSize);
    if (bad !== undefined) throw invalidRequest(`Token id ${bad} is outside the vocabulary of ${engine.model.vocabSize}.`, 'prompt');
    return { ids: x, text: tok.decode(x) };
  });
}

export async function completions(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const body = parseRequest(completionRequestSchema, await readJsonObject(req, deps.maxBodyBytes));
  const n = body.n ?? 1;
  if (body.suffix) throw invalidRequest("'suffix' is not supported by this server.", 'suffix', 'unsupported_parameter');
  if (body.best_of != null && body.best_of !== n) throw invalidRequest('best_of other than n is not supported by this server.', 'best_of', 'unsupported_parameter');
  if (body.echo && body.logprobs != null) throw invalidRequest('echo with logprobs (prompt logprobs) is not supported by this server.', 'echo', 'unsupported_parameter');
  if (body.stream_options != null && !body.stream) throw invalidRequest('stream_options is only allowed with stream: true.', 'stream_options');
  const lease = await leaseModel(deps, ctx, body.model, 'completion');
  const handles: RequestHandle[] = [];
  try {
    const engine = lease.loaded.engine;
    const ps = prompts(engine, body.prompt);
    const constraint = completionConstraint(body);
    const wantLogprobs = body.logprobs != null;
    const sampling = samplingFrom(
      { ...body, logprobs: wantLogprobs, top_logprobs: body.logprobs ?? 0 },
      { vocabSize: engine.model.vocabSize, defaultTemperature: lease.spec.defaultTemperature },
    );
    for (const p of ps) {
      handles.push(startRequest(engine, {
        promptIds: p.ids, sampling,
        maxTokens: maxTokensFor(body.max_tokens, p.ids.length, engine.maxContext, deps.defaultMaxTokens),
        stop: stopList(body.stop),
        ...(body.stop_token_ids && { stopTokenIds: body.stop_token_ids }),
        ignoreEos: body.ignore_eos ?? false,
        skipSpecialTokens: body.skip_special_tokens ?? true,
        n, signal: ctx.signal,
        ...(deps.requestTimeoutMs > 0 && { timeoutMs: deps.requestTimeoutMs }),
        ...(constraint && { constraint }),
      }, 'prompt'));
    }
    const run = new CompletionRun(deps, ctx, engine, body, ps, handles);
    if (!body.stream) {
      try {
        return Response.json(await run.whole());
      } finally {
        lease.release();
      }
    }
    return sseResponse(run.chunks(), { onCancel: () => handles.forEach((h) => h.abort()), onEnd: () => lease.release(), errorEvent: streamErrorEvent });
  } catch (e) {
    for (const h of handles) h.abort();
    lease.release();
    throw e;
  }
}

class CompletionRun {
  readonly id = newId('cmpl-');
  readonly created: number;
  private readonly n: number;
  private firstTokenAt: number | null = null;
  /** Per choice: characters of text so far (for text_offset). */
  private readonly offsets: number[];

  constructor(
    private readonly deps: ServerDeps,
    private readonly ctx: RequestContext,
    private readonly engine: ServingEngine,
    private readonly body: CompletionRequest,
    private readonly prompts: Prompt[],
    private readonly handles: RequestHandle[],
  ) {
    this.created = Math.floor(deps.now() / 1000);
    this.n = body.n ?? 1;
    this.offsets = Array.from({ length: prompts.length * this.n }, (_, c) => (body.echo ? prompts[Math.floor(c / this.n)].text.length : 0));
  }

  private logprobs(choice: number, out: EngineOutput): CompletionLogprobs | null {
    if (this.body.logprobs == null) return null;
    const tok = this.engine.model.tokenizer;
    const lp: CompletionLogprobs = { tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] };
    for (const l of out.logprobs ?? []) {
      const s = tok.decode([l.id]);
      lp.tokens.push(s);
      lp.token_logprobs.push(l.logprob);
      lp.top_logprobs.push(Object.fromEntries(l.top.map((t) => [tok.decode([t.id]), t.logprob])));
      lp.text_offset.push(this.offsets[choice]);
      this.offsets[choice] += s.length;
    }
    return lp;
  }

  private async book(): Promise<EngineUsage | null> {
    const all = await Promise.all(this.handles.map((h) => h.done.catch(() => null)));
    if (all.some((u) => u === null)) return null;
    const usage = all.reduce<EngineUsage>((a, u) => ({
      promptTokens: a.promptTokens + u!.promptTokens, completionTokens: a.completionTokens + u!.completionTokens,
      cachedPromptTokens: a.cachedPromptTokens + u!.cachedPromptTokens,
    }), { promptTokens: 0, completionTokens: 0, cachedPromptTokens: 0 });
    account(this.deps, this.ctx, this.body.model, usage, this.firstTokenAt);
    return usage;
  }

  private head(): Omit<Completion, 'choices'> {
    return { id: this.id, object: 'text_completion', created: this.created, model: this.body.model, system_fingerprint: SYSTEM_FINGERPRINT };
  }

  async whole(): Promise<Completion> {
    const total = this.prompts.length * this.n;
    const text = Array.from({ length: total }, (_, c) => (this.body.echo ? this.prompts[Math.floor(c / this.n)].text : ''));
    const lps = Array.from({ length: total }, (): CompletionLogprobs => ({ tokens: [], token_logprobs: [], top_logprobs: [], text_offset: [] }));
    const finish: ('stop' | 'length')[] = Array(total).fill('stop');
    for await (const [p, out] of mergeStreams(this.handles)) {
      if (this.firstTokenAt === null && out.ids.length) this.firstTokenAt = this.deps.now();
      const c = p * this.n + out.index;
      const lp = this.logprobs(c, out);
      if (lp) for (const k of Object.keys(lp) as (keyof CompletionLogprobs)[]) (lps[c][k] as unknown[]).push(...lp[k]);
      text[c] += out.text;
      if (out.finishReason) finish[c] = wireFinish(out.finishReason);
    }
    const usage = (await this.book())!;
    return {
      ...this.head(),
      choices: text.map((t, c) => ({ index: c, text: t, logprobs: this.body.logprobs == null ? null : lps[c], finish_reason: finish[c] })),
      usage: usageOf(usage),
    };
  }

  async *chunks(): AsyncGenerator<Completion> {
    const withUsage = this.body.stream_options?.include_usage === true;
    const extra = withUsage ? { usage: null } : {};
    let usage: EngineUsage | null = null;
    try {
      if (this.body.echo) {
        for (let c = 0; c < this.prompts.length * this.n; c++) {
          yield { ...this.head(), choices: [{ index: c, text: this.prompts[Math.floor(c / this.n)].text, logprobs: null, finish_reason: null }], ...extra };
        }
      }
      for await (const [p, out] of mergeStreams(this.handles)) {
        if (this.firstTokenAt === null && out.ids.length) this.firstTokenAt = this.deps.now();
        const c = p * this.n + out.index;
        const lp = this.logprobs(c, out);
        if (out.text || lp?.tokens.length) yield { ...this.head(), choices: [{ index: c, text: out.text, logprobs: lp, finish_reason: null }], ...extra };
        if (out.finishReason) yield { ...this.head(), choices: [{ index: c, text: '', logprobs: null, finish_reason: wireFinish(out.finishReason) }], ...extra };
      }
    } finally {
      usage = await this.book();
    }
    if (usage && withUsage) yield { ...this.head(), choices: [], usage: usageOf(usage) };
  }
}
