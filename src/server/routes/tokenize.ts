// POST /v1/tokenize and /v1/detokenize (vLLM's shapes): count and inspect tokens of a
// prompt or of chat messages rendered through the model's template, and turn ids back
// into text.
import { readJsonObject } from '../body.ts';
import { renderTemplate, templateMessages } from '../chat-prompt.ts';
import type { RequestContext, ServerDeps } from '../deps.ts';
import { invalidRequest } from '../errors.ts';
import { leaseModel } from '../generation.ts';
import { detokenizeRequestSchema, tokenizeRequestSchema } from '../wire/misc.ts';
import { parseRequest } from '../wire/validate.ts';

export async function tokenize(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const body = parseRequest(tokenizeRequestSchema, await readJsonObject(req, deps.maxBodyBytes));
  const lease = await leaseModel(deps, ctx, body.model, 'tokenize');
  try {
    const { model, maxContext } = lease.loaded.engine;
    const tok = model.tokenizer;
    let ids: number[];
    if (body.messages) {
      if (body.tools != null && !Array.isArray(body.tools)) throw invalidRequest('tools must be an array', 'tools');
      const text = renderTemplate(model, templateMessages(body.messages), {
        tools: (body.tools as unknown[] | undefined) ?? undefined,
        addGenerationPrompt: body.add_generation_prompt ?? true,
        extra: body.chat_template_kwargs ?? undefined,
      });
      ids = tok.encode(text, { addSpecialTokens: body.add_special_tokens ?? false });
    } else {
      ids = tok.encode(body.prompt!, { addSpecialTokens: body.add_special_tokens ?? true });
    }
    return Response.json({
      count: ids.length,
      max_model_len: maxContext,
      tokens: ids,
      ...(body.return_token_strs && { token_strs: ids.map((id) => tok.idToToken(id) ?? null) }),
    });
  } finally {
    lease.release();
  }
}

export async function detokenize(req: Request, deps: ServerDeps, ctx: RequestContext): Promise<Response> {
  const body = parseRequest(detokenizeRequestSchema, await readJsonObject(req, deps.maxBodyBytes));
  const lease = await leaseModel(deps, ctx, body.model, 'tokenize');
  try {
    const { model } = lease.loaded.engine;
    const bad = body.tokens.findIndex((id) => id >= model.vocabSize);
    if (bad >= 0) throw invalidRequest(`Token id ${body.tokens[bad]} is outside the vocabulary of ${model.vocabSize}.`, `tokens[${bad}]`);
    return Response.json({ prompt: model.tokenizer.decode(body.tokens, { skipSpecialTokens: body.skip_special_tokens ?? false }) });
  } finally {
    lease.release();
  }
}
