// Tool calls as a grammar, in the model family's own format (format.ts), for enforcing
// tool_choice with constrained decoding: "required" or a named function force a call whose
// arguments follow the function's parameters schema; "auto" leaves the reply free until
// the call marker appears and constrains the call from there (for Llama 3, whose calls
// have no marker, a reply that starts with "{" is a call). parallel_tool_calls false
// means exactly one call, true one or more. What is written is what the streaming parser
// of the same format (parser.ts) reads back as calls:
//   hermes   <tool_call>\n{"name": "f", "arguments": {...}}\n</tool_call>  (calls joined by \n)
//   llama3   {"name": "f", "parameters": {...}}                          (joined by "; ")
//   mistral  [TOOL_CALLS] [{"name": "f", "arguments": {...}}, ...]       (v3 templates)
//            [TOOL_CALLS]f[ARGS]{...}[TOOL_CALLS]g[ARGS]{...}            (templates with [ARGS])
// Control-token markers ([TOOL_CALLS] is one in Mistral's vocabularies) are written as
// plain text: constrained vocabularies leave control tokens out, and the parser reads text.
import {
  alt, chars, compileJsonSchema, ConstraintError, type Expr, type Grammar, GrammarBuilder, jsonObjectGrammar, lit, opt, seq, star, textUntil,
} from '../../constrain/index.ts';
import type { ToolCallFormat } from './format.ts';

export interface ToolSpec {
  readonly name: string;
  /** JSON Schema of the arguments object; absent: any object. */
  readonly parameters?: Readonly<Record<string, unknown>> | null;
  /** OpenAI's strict flag: a schema the engine cannot enforce is then an error, not relaxed. */
  readonly strict?: boolean | null;
}

export type ToolMode = 'auto' | 'required' | { readonly name: string };

export interface ToolGrammarOptions {
  readonly format: ToolCallFormat;
  readonly tools: readonly ToolSpec[];
  readonly mode: ToolMode;
  /** One or more calls (true) or exactly one. */
  readonly parallel: boolean;
  /** Mistral: the template writes name[ARGS]{...} (v11+ tokenizers) rather than a JSON list. */
  readonly mistralArgs?: boolean;
  /** "auto": what a reply without calls must be (a response_format body); absent: free text. */
  readonly content?: Expr;
}

/** A tool's parameters schema the engine cannot enforce, under strict: true. */
export class ToolSchemaError extends Error {
  override name = 'ToolSchemaError';
  constructor(readonly index: number, readonly cause: ConstraintError) {
    super(cause.message);
  }
}

const HERMES_OPEN = '<tool_call>';
const MISTRAL_MARKER = '[TOOL_CALLS]';
/** Anything but whitespace and "{": a Llama 3 reply that is text from its first character. */
const LLAMA_TEXT_START = chars([0x09, 0x0a, 0x0d, 0x0d, 0x20, 0x20, 0x7b, 0x7b], true);
const ANY = chars([0, 0x10ffff]);

/** The tool-call expression for `opts` in builder `b` (its rules are added to `b`). */
export function toolCallExpr(b: GrammarBuilder, opts: ToolGrammarOptions): Expr {
  const tools = opts.mode === 'auto' || opts.mode === 'required' ? opts.tools : opts.tools.filter((t) => t.name === (opts.mode as { name: string }).name);
  if (tools.length === 0) throw new RangeError('toolCallExpr: no tool to call');
  // A named function is called exactly once, as OpenAI does.
  const parallel = opts.parallel && typeof opts.mode !== 'object';
  const args = tools.map((t) => b.include(argumentsGrammar(t, opts.tools.indexOf(t)), `${t.name}-args-`));
  const named = (pre: (name: string) => string, post: string) => alt(...tools.map((t, i) => seq(lit(pre(t.name)), args[i], lit(post))));
  const repeatAfter = (one: Expr, sep: string) => (parallel ? star(seq(lit(sep), one)) : seq());
  const auto = opts.mode === 'auto';
  switch (opts.format) {
    case 'hermes': {
      const body = b.add('tool-call-body', named((n) => `\n{"name": ${JSON.stringify(n)}, "arguments": `, '}\n</tool_call>'));
      const one = seq(lit(HERMES_OPEN), body);
      const rest = seq(body, repeatAfter(one, '\n'));
      if (!auto) return seq(one, repeatAfter(one, '\n'));
      return opts.content ? alt(seq(lit(HERMES_OPEN), rest), opts.content) : textUntil(b, HERMES_OPEN, rest, { mayEnd: true, name: 'reply-text' });
    }
    case 'llama3': {
      const one = b.add('tool-call', named((n) => `{"name": ${JSON.stringify(n)}, "parameters": `, '}'));
      const calls = seq(one, repeatAfter(one, '; '));
      if (!auto) return calls;
      return alt(calls, opts.content ?? opt(seq(LLAMA_TEXT_START, star(ANY))));
    }
    case 'mistral': {
      let rest: Expr;
      if (opts.mistralArgs) {
        const one = b.add('tool-call', named((n) => `${n}[ARGS]`, ''));
        rest = seq(one, parallel ? star(seq(lit(MISTRAL_MARKER), one)) : seq());
      } else {
        const one = b.add('tool-call', named((n) => `{"name": ${JSON.stringify(n)}, "arguments": `, '}'));
        rest = seq(lit(' ['), one, repeatAfter(one, ', '), lit(']'));
      }
      if (!auto) return seq(lit(MISTRAL_MARKER), rest);
      return opts.content ? alt(seq(lit(MISTRAL_MARKER), rest), opts.content) : textUntil(b, MISTRAL_MARKER, rest, { mayEnd: true, name: 'reply-text' });
    }
  }
}

/** The grammar of a whole reply under `opts`. */
export function toolCallGrammar(opts: ToolGrammarOptions): Grammar {
  const b = new GrammarBuilder();
  b.define('root', toolCallExpr(b, opts));
  return b.build('root');
}

/** A tool's arguments: its schema, or any object when it has none or (not strict) one the engine cannot enforce. */
function argumentsGrammar(t: ToolSpec, index: number): Grammar {
  if (!t.parameters) return jsonObjectGrammar();
  try {
    return compileJsonSchema(t.parameters);
  } catch (e) {
    if (!(e instanceof ConstraintError)) throw e;
    if (t.strict) throw new ToolSchemaError(index, e);
    return jsonObjectGrammar();
  }
}
