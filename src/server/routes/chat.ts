// POST /v1/chat/completions: render the conversation, run it on the model's engine, and
// answer with one chat.completion or a stream of chat.completion.chunk events (role
// first, one id throughout, a finish chunk per choice, usage last when asked, [DONE]).
import type { ServingEngine } from '../../engine/model-registry.ts';
import type { EngineOutput } from '../../engine/types.ts';
import { readJsonObject } from '../body.ts';
import { ChatChoice, ToolCallCollector } from '../chat-choice.ts';
import { renderChat, type RenderedChat } from '../chat-prompt.ts';
import { chatConstraint } from '../constraints.ts';
import type { RequestContext, ServerDeps } from '../deps.ts';
import { invalidRequest } from '../errors.ts';
import {
  account, chatLogprobs, leaseModel, maxTokensFor, newId, samplingFrom, startRequest, streamErrorEvent, SYSTEM_FINGERPRINT, usageOf, wireFinish,
} from '../generation.ts';
import { sseResponse } from '../sse.ts';
import { stopList } from '../wire/common.ts';
import {
  chatRequestSchema, UNSUPPORTED_CHAT_FIELDS, type ChatCompletion, type ChatCompletionChunk, type ChatDelta, type ChatFinishReason, type ChatLogprobEntry, type ChatRequest,
} from '../wire/chat.ts';
import { parseRequest } from '../wire/validate.ts';

export async function chatCompletions(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const body = parseRequest(chatRequestSchema, await readJsonObject(req, deps.maxBodyBytes));
  for (const f of UNSUPPORTED_CHAT_FIELDS) {
    if (body[f] !== undefined && body[f] !== null) throw invalidRequest(`'${f}' is not supported by this server.`, f, 'unsupported_parameter');
  }
  if (body.max_tokens != null && body.max_completion_tokens != null && body.max_tokens !== body.max_completion_tokens) {
    throw invalidRequest('max_tokens and max_completion_tokens disagree; give one of them.', 'max_completion_tokens');
  }
  if (body.stream_options != null && !body.stream) throw invalidRequest('stream_options is only allowed with stream: true.', 'stream_options');
  const lease = await leaseModel(deps, ctx, body.model, 'chat');
  try {
    const engine = lease.loaded.engine;
    const rendered = renderChat(engine.model, body);
    const constraint = chatConstraint(body, rendered);
    const sampling = samplingFrom(
      { ...body, logprobs: body.logprobs, top_logprobs: body.top_logprobs },
      { vocabSize: engine.model.vocabSize, defaultTemperature: lease.spec.defaultTemperature },
    );
    const handle = startRequest(engine, {
      promptIds: rendered.ids,
      sampling,
      maxTokens: maxTokensFor(body.max_completion_tokens ?? body.max_tokens, rendered.ids.length, engine.maxContext, deps.defaultMaxTokens),
      stop: stopList(body.stop),
      ...(body.stop_token_ids && { stopTokenIds: body.stop_token_ids }),
      ignoreEos: body.ignore_eos ?? false,
      skipSpecialTokens: body.skip_special_tokens ?? true,
      n: body.n ?? 1,
      signal: ctx.signal,
      ...(deps.requestTimeoutMs > 0 && { timeoutMs: deps.requestTimeoutMs }),
      ...(constraint && { constraint }),
    }, 'messages');
    const run = new ChatRun(deps, ctx, engine, body, rendered, handle);
    if (!body.stream) {
      try {
        return Response.json(await run.whole());
      } finally {
        lease.release();
      }
    }
    return sseResponse(run.chunks(), { onCancel: () => handle.abort(), onEnd: () => lease.release(), errorEvent: streamErrorEvent });
  } catch (e) {
    lease.release();
    throw e;
  }
}

type Handle = ReturnType<ServingEngine['add']>;

/** One request's generation, read either whole or as chunks. */
class ChatRun {
  readonly id = newId('chatcmpl-');
  readonly created: number;
  private readonly choices: ChatChoice[];
  private firstTokenAt: number | null = null;

  constructor(
    private readonly deps: ServerDeps,
    private readonly ctx: RequestContext,
    private readonly engine: ServingEngine,
    private readonly body: ChatRequest,
    rendered: RenderedChat,
    private readonly handle: Handle,
  ) {
    this.created = Math.floor(deps.now() / 1000);
    this.choices = Array.from({ length: body.n ?? 1 }, () => new ChatChoice({ ...rendered, newCallId: () => newId('call_') }));
  }

  private note(out: EngineOutput): void {
    if (this.firstTokenAt === null && out.ids.length > 0) this.firstTokenAt = this.deps.now();
  }

  private finishOf(index: number, out: EngineOutput): ChatFinishReason {
    const r = wireFinish(out.finishReason!);
    return r === 'stop' && this.choices[index].sawToolCall ? 'tool_calls' : r;
  }

  private logprobs(out: EngineOutput): ChatLogprobEntry[] | null {
    return this.body.logprobs && out.logprobs ? chatLogprobs(this.engine.model.tokenizer, out.logprobs) : null;
  }

  async whole(): Promise<ChatCompletion> {
    const n = this.choices.length;
    const content = Array.from({ length: n }, () => ''), reasoning = [...content];
    const calls = Array.from({ length: n }, () => new ToolCallCollector());
    const lps: ChatLogprobEntry[][] = Array.from({ length: n }, () => []);
    const finish: ChatFinishReason[] = Array(n).fill('stop');
    for await (const out of this.handle) {
      this.note(out);
      const ch = this.choices[out.index];
      const pieces = [ch.push(out.text), ...(out.finishReason ? [ch.finish()] : [])];
      for (const p of pieces) {
        content[out.index] += p.content;
        reasoning[out.index] += p.reasoning;
        calls[out.index].add(p.toolCalls);
      }
      lps[out.index].push(...(this.logprobs(out) ?? []));
      if (out.finishReason) finish[out.index] = this.finishOf(out.index, out);
    }
    const usage = await this.handle.done;
    account(this.deps, this.ctx, this.body.model, usage, this.firstTokenAt);
    return {
      id: this.id, object: 'chat.completion', created: this.created, model: this.body.model, system_fingerprint: SYSTEM_FINGERPRINT,
      choices: this.choices.map((_, i) => {
        const toolCalls = calls[i].result();
        return {
          index: i,
          message: {
            role: 'assistant' as const,
            content: content[i] === '' && toolCalls.length ? null : content[i],
            refusal: null,
            ...(reasoning[i] && { reasoning_content: reasoning[i] }),
            ...(toolCalls.length && { tool_calls: toolCalls }),
          },
          logprobs: this.body.logprobs ? { content: lps[i], refusal: null } : null,
          finish_reason: finish[i],
        };
      }),
      usage: usageOf(usage),
    };
  }

  async *chunks(): AsyncGenerator<ChatCompletionChunk> {
    const withUsage = this.body.stream_options?.include_usage === true;
    const chunk = (index: number, delta: ChatDelta, finish: ChatFinishReason | null, logprobs: ChatLogprobEntry[] | null = null): ChatCompletionChunk => ({
      id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.body.model, system_fingerprint: SYSTEM_FINGERPRINT,
      choices: [{ index, delta, logprobs: logprobs && { content: logprobs, refusal: null }, finish_reason: finish }],
      ...(withUsage && { usage: null }),
    });
    let usage = null;
    try {
      for (let i = 0; i < this.choices.length; i++) yield chunk(i, { role: 'assistant', content: '' }, null);
      for await (const out of this.handle) {
        this.note(out);
        const ch = this.choices[out.index];
        const a = ch.push(out.text);
        const b = out.finishReason ? ch.finish() : { content: '', reasoning: '', toolCalls: [] };
        const delta: ChatDelta = {};
        if (a.reasoning + b.reasoning) delta.reasoning_content = a.reasoning + b.reasoning;
        if (a.content + b.content) delta.content = a.content + b.content;
        const toolCalls = [...a.toolCalls, ...b.toolCalls];
        if (toolCalls.length) delta.tool_calls = toolCalls;
        const lp = this.logprobs(out);
        if (Object.keys(delta).length || lp?.length) yield chunk(out.index, delta, null, lp);
        if (out.finishReason) yield chunk(out.index, {}, this.finishOf(out.index, out));
      }
    } finally {
      // Also when the client went away (the engine has aborted): its usage still counts.
      usage = await this.handle.done.catch(() => null);
      if (usage) account(this.deps, this.ctx, this.body.model, usage, this.firstTokenAt);
    }
    if (usage && withUsage) {
      yield { id: this.id, object: 'chat.completion.chunk', created: this.created, model: this.body.model, system_fingerprint: SYSTEM_FINGERPRINT, choices: [], usage: usageOf(usage) };
    }
  }
}
