// Chat templates (Jinja, as in tokenizer_config.json or a GGUF's tokenizer.chat_template)
// rendered through @huggingface/jinja with the variables transformers' apply_chat_template
// passes: messages, tools, documents, add_generation_prompt, bos_token, eos_token, and any
// extra keyword (enable_thinking, ...).
import { Template } from '@huggingface/jinja';
import { ChatTemplateError } from './errors.ts';
import { metaValue, type GgufMetadataLike } from './gguf-vocab.ts';

/** A chat message as the template sees it; OpenAI fields are passed through verbatim. */
export interface ChatMessage {
  readonly role: string;
  readonly content?: unknown;
  readonly [key: string]: unknown;
}

export interface ChatRenderOptions {
  /** Tool (function) definitions; absent means the template sees `tools` as none. */
  readonly tools?: readonly unknown[] | null;
  readonly documents?: readonly unknown[] | null;
  /** End with the header that starts the assistant's turn. Default false. */
  readonly addGenerationPrompt?: boolean;
  /** Override the template's bos_token / eos_token strings. */
  readonly bosToken?: string;
  readonly eosToken?: string;
  /** Further template variables, e.g. { enable_thinking: false }. */
  readonly extra?: Readonly<Record<string, unknown>>;
}

/** tokenizer_config.json's chat_template: one template, or named ones. */
export type ChatTemplateSource = string | Readonly<Record<string, string>> | readonly { name: string; template: string }[];

export class ChatTemplate {
  private readonly template: Template;

  /** `specialTokens`: the strings bos_token / eos_token stand for (e.g. "<|begin_of_text|>"). */
  constructor(readonly source: string, private readonly specialTokens: { bosToken?: string; eosToken?: string } = {}) {
    try {
      this.template = new Template(source);
    } catch (e) {
      throw new ChatTemplateError(`chat template does not parse: ${(e as Error).message}`, { cause: e });
    }
  }

  render(messages: readonly ChatMessage[], opts: ChatRenderOptions = {}): string {
    const vars: Record<string, unknown> = {
      ...opts.extra,
      messages,
      tools: opts.tools ?? null,
      documents: opts.documents ?? null,
      add_generation_prompt: opts.addGenerationPrompt ?? false,
      bos_token: opts.bosToken ?? this.specialTokens.bosToken ?? '',
      eos_token: opts.eosToken ?? this.specialTokens.eosToken ?? '',
    };
    try {
      return this.template.render(vars);
    } catch (e) {
      throw new ChatTemplateError(`chat template failed: ${(e as Error).message}`, { cause: e });
    }
  }
}

/**
 * The template to use from named ones, as transformers picks: `name` if given, else
 * "tool_use" when tools are passed and it exists, else "default".
 */
export function selectChatTemplate(src: ChatTemplateSource | undefined, opts: { name?: string; hasTools?: boolean } = {}): string | undefined {
  if (src === undefined || typeof src === 'string') return src;
  const named: Record<string, string> = Array.isArray(src)
    ? Object.fromEntries((src as { name: string; template: string }[]).map((t) => [t.name, t.template]))
    : (src as Record<string, string>);
  if (opts.name !== undefined) {
    if (!(opts.name in named)) throw new ChatTemplateError(`no chat template named ${JSON.stringify(opts.name)} (have: ${Object.keys(named).join(', ')})`);
    return named[opts.name];
  }
  if (opts.hasTools && 'tool_use' in named) return named.tool_use;
  return named.default;
}

/** chat_template from a parsed tokenizer_config.json, if any. */
export function chatTemplateFromConfig(config: Readonly<Record<string, unknown>>): ChatTemplateSource | undefined {
  const t = config.chat_template;
  if (typeof t === 'string') return t;
  if (Array.isArray(t) && t.every((x) => x && typeof x.name === 'string' && typeof x.template === 'string')) return t;
  if (t && typeof t === 'object' && Object.values(t).every((x) => typeof x === 'string')) return t as Record<string, string>;
  return undefined;
}

/** tokenizer.chat_template (and named tokenizer.chat_template.<name>) from GGUF metadata. */
export function chatTemplateFromGguf(meta: GgufMetadataLike): ChatTemplateSource | undefined {
  const prefix = 'tokenizer.chat_template.';
  const named: Record<string, string> = {};
  for (const key of meta instanceof Map ? meta.keys() : Object.keys(meta)) {
    const v = metaValue(meta, key);
    if (key.startsWith(prefix) && typeof v === 'string') named[key.slice(prefix.length)] = v;
  }
  const main = metaValue(meta, 'tokenizer.chat_template');
  if (Object.keys(named).length === 0) return typeof main === 'string' ? main : undefined;
  if (typeof main === 'string') named.default = main;
  return named;
}
