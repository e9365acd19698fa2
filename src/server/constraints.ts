// Request fields -> the grammar the engine enforces (constrained decoding, src/constrain):
// response_format (json_object, json_schema), tool_choice with tools (tools/grammar.ts),
// and the completions endpoint's GBNF `grammar`. Schemas and grammars the engine cannot
// enforce are 400s naming the field (`param`) and the keyword or position. Compiled
// grammars are cached by their source, since their mask caches make a repeated schema or
// tool set cheap (an agent loop sends the same tools on every turn).
import {
  charSet, compileGrammar, compileJsonSchema, ConstraintError, type CompiledGrammar, type Expr, type Grammar, GrammarBuilder, jsonObjectGrammar, parseGbnf, repeat, seq, textUntil,
} from '../constrain/index.ts';
import type { EngineConstraint } from '../engine/types.ts';
import type { RenderedChat } from './chat-prompt.ts';
import { invalidRequest } from './errors.ts';
import { toolCallExpr, ToolSchemaError, type ToolMode } from './tools/grammar.ts';
import type { ChatRequest } from './wire/chat.ts';
import type { CompletionRequest } from './wire/completions.ts';

type ResponseFormat = NonNullable<ChatRequest['response_format']>;

/** Compiled grammars kept (least recently used dropped). */
const CACHE_SIZE = 64;
const cache = new Map<string, CompiledGrammar>();

/** The compiled grammar for `key`, built by `build` on a miss. */
function cached(key: string, build: () => Grammar): CompiledGrammar {
  let g = cache.get(key);
  if (g) cache.delete(key);
  else {
    g = compileGrammar(build());
    if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
  }
  cache.set(key, g);
  return g;
}

/** A ConstraintError as the 400 OpenAI clients expect, naming the field. */
function refused(e: ConstraintError, param: string): never {
  throw invalidRequest(`Invalid '${param}': ${e.message}`, param, 'invalid_value');
}

/** response_format's grammar, or null for text / none. */
function formatGrammar(rf: ResponseFormat | null | undefined): { key: string; build: () => Grammar; param: string } | null {
  if (!rf || rf.type === 'text') return null;
  if (rf.type === 'json_object') return { key: 'json_object', build: () => jsonObjectGrammar(), param: 'response_format' };
  const schema = rf.json_schema.schema ?? {};
  return { key: `json_schema:${JSON.stringify(schema)}`, build: () => compileJsonSchema(schema), param: 'response_format.json_schema.schema' };
}

/** Completions: response_format or a GBNF `grammar` (not both); undefined when neither. */
export function completionConstraint(body: Pick<CompletionRequest, 'response_format' | 'grammar'>): EngineConstraint | undefined {
  if (body.grammar != null && body.response_format != null && body.response_format.type !== 'text') {
    throw invalidRequest('Give either response_format or grammar, not both.', 'grammar');
  }
  const text = body.grammar;
  const f = text != null ? { key: `gbnf:${text}`, build: () => parseGbnf(text), param: 'grammar' } : formatGrammar(body.response_format);
  if (!f) return undefined;
  try {
    return { grammar: cached(f.key, f.build) };
  } catch (e) {
    if (e instanceof ConstraintError) refused(e, f.param);
    throw e;
  }
}

/**
 * Chat: what the reply must be, from response_format and tool_choice (the tools were
 * rendered and their format detected by renderChat). undefined when it is free text.
 * - tool_choice "required" / a named function: only calls (response_format is for text replies);
 * - "auto" (the default with tools): free text or JSON per response_format, or calls;
 * - a prompt that opens a <think> block lets the model reason freely up to </think> first.
 */
export function chatConstraint(body: ChatRequest, rendered: RenderedChat): EngineConstraint | undefined {
  const format = formatGrammar(body.response_format);
  const choice = body.tool_choice ?? 'auto';
  const tools = rendered.toolFormat ? (body.tools ?? []) : [];
  const mode: ToolMode | null = tools.length === 0 || choice === 'none' ? null : choice === 'auto' || choice === 'required' ? choice : { name: choice.function.name };
  if (!format && (mode === null || !rendered.toolFormat)) return undefined;
  const parallel = body.parallel_tool_calls ?? true;
  const mistralArgs = rendered.toolFormat === 'mistral' && (rendered.templateSource ?? '').includes('[ARGS]');
  const key = JSON.stringify({
    f: format?.key ?? null, mode, parallel, fmt: mode && rendered.toolFormat, mistralArgs,
    tools: mode && tools.map((t) => [t.function.name, t.function.parameters ?? null, t.function.strict ?? null]),
    think: rendered.startsInReasoning,
  });
  try {
    const grammar = cached(key, () => {
      const b = new GrammarBuilder();
      const content: Expr | undefined = format ? b.include(format.build(), 'content-') : undefined;
      let reply: Expr;
      if (mode === null) reply = content!;
      else {
        const specs = tools.map((t) => ({ name: t.function.name, parameters: t.function.parameters, strict: t.function.strict }));
        reply = toolCallExpr(b, { format: rendered.toolFormat!, tools: specs, mode, parallel, mistralArgs, ...(content && mode === 'auto' && { content }) });
      }
      // Reasoning first when the prompt opened it: free text up to </think>, then the reply.
      if (rendered.startsInReasoning) reply = textUntil(b, '</think>', seq(repeat(charSet(' \n'), 0, 2), reply), { mayEnd: false, name: 'reasoning' });
      b.define('root', reply);
      return b.build('root');
    });
    return { grammar };
  } catch (e) {
    if (e instanceof ToolSchemaError) refused(e.cause, `tools[${e.index}].function.parameters`);
    if (e instanceof ConstraintError) refused(e, format?.param ?? 'tools');
    throw e;
  }
}
