// Streaming tool-call parser: the model's reply text, in deltas of any size, becomes
// content plus OpenAI-shaped tool-call deltas. Formats: hermes.ts, llama3.ts, mistral.ts.
//
// Behaviour common to every format:
// - Text that may be the start of a call marker is held back until decided; it is
//   released as content if it was not a marker. Whitespace next to a call is dropped.
// - A call is opened (first delta: index, id, type, name, arguments '') once its name is
//   read and is one of `toolNames`; its arguments then stream as their raw JSON text, each
//   character checked to keep the text a valid JSON prefix, so the concatenated
//   arguments always parse as one object.
// - A call that is no call — a name not in toolNames, no name, malformed JSON before the
//   call was opened — is content, its marker included, exactly as the model wrote it.
// - Malformed JSON after a call was opened, or the reply ending inside one (max_tokens):
//   the call is closed with its arguments completed to valid JSON (open strings, arrays
//   and objects closed; a missing value becomes null), so what was streamed stays valid.
// - With no toolNames nothing can be a call: the reply is passed through as content.
import { ChunkSink } from './chunk-sink.ts';
import { mistralCallId, openAiCallId } from './call-id.ts';
import type { ToolCallFormat } from './format.ts';
import type { FormatMachine } from './format-machine.ts';
import { HermesMachine } from './hermes.ts';
import { Llama3Machine } from './llama3.ts';
import { MistralMachine } from './mistral.ts';
import type { ParsedChunk, ToolCallDelta, ToolCallParser } from './parser-types.ts';

export type { ParsedChunk, ToolCallDelta, ToolCallParser } from './parser-types.ts';

export interface ToolCallParserOptions {
  /** Names of the request's functions; a call to any other name is content. */
  readonly toolNames: readonly string[];
  /** Makes call ids (default: "call_" + 24 alphanumerics; 9 alphanumerics for mistral). */
  readonly newId?: () => string;
}

export function createToolCallParser(format: ToolCallFormat, opts: ToolCallParserOptions): ToolCallParser {
  const sink = new ChunkSink(opts.newId ?? (format === 'mistral' ? mistralCallId : openAiCallId));
  const names = new Set(opts.toolNames);
  const machine = names.size === 0 ? new PassThrough(sink) : newMachine(format, sink, names);
  let finished = false;
  return {
    push(text: string): ParsedChunk {
      if (finished) throw new Error('tool-call parser: push() after finish()');
      for (const ch of text) machine.feed(ch);
      return sink.take();
    },
    finish(): ParsedChunk {
      if (!finished) machine.end();
      finished = true;
      return sink.take();
    },
    get sawToolCall() {
      return sink.sawToolCall;
    },
  };
}

function newMachine(format: ToolCallFormat, sink: ChunkSink, names: ReadonlySet<string>): FormatMachine {
  switch (format) {
    case 'hermes':
      return new HermesMachine(sink, names);
    case 'llama3':
      return new Llama3Machine(sink, names);
    case 'mistral':
      return new MistralMachine(sink, names);
  }
}

class PassThrough implements FormatMachine {
  constructor(private readonly sink: ChunkSink) {}
  feed(ch: string): void {
    this.sink.verbatim(ch);
  }
  end(): void {}
}

/** A whole tool call, as in a non-streamed response's `message.tool_calls`. */
export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Joins streamed deltas into whole calls, in index order. */
export function assembleToolCalls(deltas: Iterable<ToolCallDelta>): ToolCall[] {
  const calls: ToolCall[] = [];
  for (const d of deltas) {
    const call = (calls[d.index] ??= { id: '', type: 'function', function: { name: '', arguments: '' } });
    if (d.id !== undefined) call.id = d.id;
    if (d.function.name !== undefined) call.function.name += d.function.name;
    if (d.function.arguments !== undefined) call.function.arguments += d.function.arguments;
  }
  return calls;
}

/** A whole reply at once (non-streamed responses): its content and calls. */
export function parseToolCalls(format: ToolCallFormat, text: string, opts: ToolCallParserOptions): { content: string; toolCalls: ToolCall[] } {
  const parser = createToolCallParser(format, opts);
  const a = parser.push(text);
  const b = parser.finish();
  return { content: a.content + b.content, toolCalls: assembleToolCalls([...a.toolCalls, ...b.toolCalls]) };
}
