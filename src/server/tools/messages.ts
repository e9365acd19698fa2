// OpenAI chat messages -> the messages a chat template renders (src/text ChatMessage).
// What templates expect that the wire does not give them:
// - content is a string: text parts are joined with "\n"; assistant content null (a turn
//   of only tool calls) becomes "" (Qwen3's template runs string tests on it);
// - role "developer" is "system" to templates;
// - tool_calls[].function.arguments is an object, not JSON text (Llama 3.1 and Mistral
//   templates write it with `| tojson`; Qwen's accept both);
// - a tool message gets the `name` of the call it answers when the client gave none.
// Fields templates use are passed on (name, tool_call_id, reasoning_content); others are dropped.
import type { ChatMessage } from '../../text/chat-template.ts';
import { ToolMessageError } from './errors.ts';

export { ToolMessageError } from './errors.ts';

type Json = Record<string, unknown>;

const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'];

function isObject(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function toTemplateMessages(messages: readonly unknown[]): ChatMessage[] {
  if (!Array.isArray(messages) || messages.length === 0) throw new ToolMessageError('messages must be a non-empty array', 'messages');
  /** Function name of each tool call seen so far, by call id. */
  const callNames = new Map<string, string>();
  return messages.map((m, i) => convertMessage(m, `messages[${i}]`, callNames));
}

function convertMessage(m: unknown, at: string, callNames: Map<string, string>): ChatMessage {
  if (!isObject(m)) throw new ToolMessageError(`${at} must be an object`, at);
  const role = m.role;
  if (typeof role !== 'string') throw new ToolMessageError(`${at}.role is required (one of ${ROLES.join(', ')})`, `${at}.role`);
  if (role === 'function') {
    throw new ToolMessageError(`${at}: role 'function' is deprecated and not supported; send tool results as role 'tool' with tool_call_id`, `${at}.role`);
  }
  if (!ROLES.includes(role)) throw new ToolMessageError(`${at}: unknown role '${role}' (expected one of ${ROLES.join(', ')})`, `${at}.role`);

  const out: Record<string, unknown> = { role: role === 'developer' ? 'system' : role };
  if (m.name !== undefined && m.name !== null) {
    if (typeof m.name !== 'string') throw new ToolMessageError(`${at}.name must be a string`, `${at}.name`);
    out.name = m.name;
  }

  if (role === 'assistant') {
    const toolCalls = m.tool_calls === undefined || m.tool_calls === null ? [] : convertToolCalls(m.tool_calls, `${at}.tool_calls`);
    if ((m.content === undefined || m.content === null) && toolCalls.length === 0) {
      throw new ToolMessageError(`${at}.content is required unless the assistant message has tool_calls`, `${at}.content`);
    }
    out.content = m.content === undefined || m.content === null ? '' : textContent(m.content, `${at}.content`, true);
    if (toolCalls.length > 0) {
      out.tool_calls = toolCalls;
      for (const c of toolCalls) callNames.set(c.id, c.function.name);
    }
    if (m.reasoning_content !== undefined && m.reasoning_content !== null) {
      if (typeof m.reasoning_content !== 'string') throw new ToolMessageError(`${at}.reasoning_content must be a string`, `${at}.reasoning_content`);
      out.reasoning_content = m.reasoning_content;
    }
    return out as ChatMessage;
  }

  if (m.content === undefined || m.content === null) throw new ToolMessageError(`${at}.content is required`, `${at}.content`);
  out.content = textContent(m.content, `${at}.content`, false);
  if (role === 'tool') {
    if (typeof m.tool_call_id !== 'string' || m.tool_call_id === '') {
      throw new ToolMessageError(`${at}.tool_call_id is required: the id of the tool call this message answers`, `${at}.tool_call_id`);
    }
    out.tool_call_id = m.tool_call_id;
    const name = callNames.get(m.tool_call_id);
    if (out.name === undefined && name !== undefined) out.name = name;
  }
  return out as ChatMessage;
}

/** A string, or an array of text parts (assistant messages may also carry refusal parts). */
function textContent(content: unknown, at: string, assistant: boolean): string {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) throw new ToolMessageError(`${at} must be a string or an array of content parts`, at);
  return content.map((part, j) => {
    const here = `${at}[${j}]`;
    if (!isObject(part) || typeof part.type !== 'string') throw new ToolMessageError(`${here} must be a content part object with a type`, here);
    const key = part.type === 'text' ? 'text' : part.type === 'refusal' && assistant ? 'refusal' : undefined;
    if (key === undefined) {
      throw new ToolMessageError(`${here}: content part type '${part.type}' is not supported; this server accepts text only`, `${here}.type`);
    }
    if (typeof part[key] !== 'string') throw new ToolMessageError(`${here}.${key} must be a string`, `${here}.${key}`);
    return part[key] as string;
  }).join('\n');
}

interface TemplateToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: Json };
}

function convertToolCalls(calls: unknown, at: string): TemplateToolCall[] {
  if (!Array.isArray(calls)) throw new ToolMessageError(`${at} must be an array`, at);
  return calls.map((c, j) => {
    const here = `${at}[${j}]`;
    if (!isObject(c)) throw new ToolMessageError(`${here} must be an object`, here);
    if (typeof c.id !== 'string' || c.id === '') throw new ToolMessageError(`${here}.id is required`, `${here}.id`);
    if (c.type !== undefined && c.type !== 'function') {
      throw new ToolMessageError(`${here}.type '${String(c.type)}' is not supported; only 'function' tool calls are`, `${here}.type`);
    }
    const fn = c.function;
    if (!isObject(fn)) throw new ToolMessageError(`${here}.function is required`, `${here}.function`);
    if (typeof fn.name !== 'string' || fn.name === '') throw new ToolMessageError(`${here}.function.name is required`, `${here}.function.name`);
    return { id: c.id, type: 'function', function: { name: fn.name, arguments: parseArguments(fn.arguments, `${here}.function.arguments`) } };
  });
}

/** JSON text of an object (as the wire has it); '' means no arguments; an object is taken as is. */
function parseArguments(args: unknown, at: string): Json {
  if (isObject(args)) return args;
  if (typeof args !== 'string') throw new ToolMessageError(`${at} must be a string holding a JSON object`, at);
  if (args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch (e) {
    throw new ToolMessageError(`${at} is not valid JSON: ${(e as Error).message}`, at);
  }
  if (!isObject(value)) throw new ToolMessageError(`${at} must be a JSON object, got ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`, at);
  return value;
}
