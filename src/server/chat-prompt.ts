// Chat request -> prompt token ids: OpenAI messages become template messages
// (tools/messages.ts), the model's chat template renders them with the tools (unless
// tool_choice is "none"), and the text is tokenized as the template wrote it (its own
// BOS included). Also works out how to read the reply: whether it opens inside a
// <think> block, and which tool-call syntax the model writes.
import type { Model } from '../model/index.ts';
import { ChatTemplate, ChatTemplateError, selectChatTemplate, type ChatMessage } from '../text/index.ts';
import { invalidRequest, unsupported } from './errors.ts';
import { promptOpensReasoning, templateUsesReasoning } from './reasoning.ts';
import { detectToolCallFormat, type ToolCallFormat } from './tools/format.ts';
import { toTemplateMessages } from './tools/messages.ts';
import type { ChatRequest } from './wire/chat.ts';

export interface RenderedChat {
  text: string;
  ids: number[];
  /** The model writes <think>…</think> reasoning that goes to reasoning_content. */
  reasoning: boolean;
  /** The prompt already opened the <think> block (the reply starts in reasoning). */
  startsInReasoning: boolean;
  /** Tool calls to parse out of the reply; null when tools are off or the format is unknown. */
  toolFormat: ToolCallFormat | null;
  toolNames: string[];
  /** The chat template that rendered the prompt (tool-call grammars read its call shape). */
  templateSource: string | undefined;
}

/** Template messages from the wire, with param-named 400s for bad content. */
export function templateMessages(messages: readonly unknown[]): ChatMessage[] {
  try {
    return toTemplateMessages(messages);
  } catch (e) {
    const param = (e as { param?: unknown }).param;
    if (typeof param === 'string') throw invalidRequest((e as Error).message, param);
    throw e;
  }
}

/** tools / tool_choice agree with each other (a named function must be one of the tools). */
export function checkToolChoice(req: Pick<ChatRequest, 'tools' | 'tool_choice'>): void {
  const choice = req.tool_choice;
  const names = (req.tools ?? []).map((t) => t.function.name);
  if (new Set(names).size !== names.length) throw invalidRequest('tools: function names must be unique', 'tools');
  if (choice === 'required' && names.length === 0) throw invalidRequest('tool_choice "required" needs tools', 'tool_choice');
  if (choice && typeof choice === 'object' && !names.includes(choice.function.name)) {
    throw invalidRequest(`tool_choice names the function '${choice.function.name}', which is not among the tools`, 'tool_choice');
  }
}

export function renderTemplate(model: Model, messages: ChatMessage[], opts: { tools?: readonly unknown[]; addGenerationPrompt: boolean; extra?: Record<string, unknown> }): string {
  const tok = model.tokenizer;
  const source = selectChatTemplate(model.chatTemplate, { hasTools: Boolean(opts.tools?.length) });
  if (source === undefined) throw unsupported('This model has no chat template; use /v1/completions with a prompt instead.', 'messages');
  const token = (id: number | null) => (id === null ? undefined : tok.idToToken(id));
  try {
    const template = new ChatTemplate(source, { bosToken: token(tok.special.bos), eosToken: token(tok.special.eos) });
    return template.render(messages, { tools: opts.tools?.length ? opts.tools : null, addGenerationPrompt: opts.addGenerationPrompt, extra: opts.extra });
  } catch (e) {
    // Templates raise for conversations they refuse (roles out of order, a tool reply
    // without a call): the client's input, so a 400.
    if (e instanceof ChatTemplateError) throw invalidRequest(e.message, 'messages');
    throw e;
  }
}

export function renderChat(model: Model, req: ChatRequest): RenderedChat {
  checkToolChoice(req);
  const messages = templateMessages(req.messages);
  const toolsOn = req.tool_choice !== 'none' && (req.tools?.length ?? 0) > 0;
  const extra: Record<string, unknown> = { ...req.chat_template_kwargs };
  if (req.reasoning_effort === 'none' && !('enable_thinking' in extra)) extra.enable_thinking = false;
  if (req.reasoning_effort && req.reasoning_effort !== 'none') extra.reasoning_effort ??= req.reasoning_effort;
  const text = renderTemplate(model, messages, { tools: toolsOn ? req.tools! : undefined, addGenerationPrompt: true, extra });
  const ids = model.tokenizer.encode(text, { addSpecialTokens: false });
  const templateSource = selectChatTemplate(model.chatTemplate, { hasTools: toolsOn });
  const reasoning = templateUsesReasoning(templateSource);
  return {
    text,
    ids,
    reasoning,
    startsInReasoning: reasoning && promptOpensReasoning(text),
    toolFormat: toolsOn ? detectToolCallFormat(templateSource, model.config.architecture) : null,
    toolNames: toolsOn ? req.tools!.map((t) => t.function.name) : [],
    templateSource,
  };
}
