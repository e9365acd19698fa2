// One chat choice's text as it streams: <think> reasoning split off into
// reasoning_content (reasoning.ts), then tool calls parsed out of the content
// (tools/parser.ts). Streamed and whole responses both go through this, so they agree.
import { createReasoningSplitter, type ReasoningSplitter } from './reasoning.ts';
import { createToolCallParser, type ToolCallDelta, type ToolCallParser } from './tools/parser.ts';
import type { ToolCallFormat } from './tools/format.ts';
import type { ToolCall } from './wire/chat.ts';

export interface ChoicePiece {
  content: string;
  reasoning: string;
  toolCalls: ToolCallDelta[];
}

export interface ChoiceOptions {
  reasoning: boolean;
  startsInReasoning: boolean;
  toolFormat: ToolCallFormat | null;
  toolNames: readonly string[];
  /** Ids for tool calls the parser leaves unnamed ("call_…"). */
  newCallId: () => string;
}

export class ChatChoice {
  private readonly splitter: ReasoningSplitter | null;
  private readonly parser: ToolCallParser | null;
  /** Call ids handed out, by tool-call index. */
  private readonly callIds = new Map<number, string>();

  constructor(private readonly opts: ChoiceOptions) {
    this.splitter = opts.reasoning ? createReasoningSplitter({ startsInReasoning: opts.startsInReasoning }) : null;
    this.parser = opts.toolFormat ? createToolCallParser(opts.toolFormat, { toolNames: opts.toolNames }) : null;
  }

  get sawToolCall(): boolean {
    return this.parser?.sawToolCall ?? false;
  }

  push(text: string): ChoicePiece {
    return this.step(text, false);
  }

  finish(): ChoicePiece {
    return this.step('', true);
  }

  private step(text: string, final: boolean): ChoicePiece {
    let reasoning = '';
    let content = text;
    if (this.splitter) {
      const a = final ? joinSplit(this.splitter.push(text), this.splitter.finish()) : this.splitter.push(text);
      reasoning = a.reasoning;
      content = a.content;
    }
    if (!this.parser) return { content, reasoning, toolCalls: [] };
    const p = this.parser.push(content);
    const q = final ? this.parser.finish() : { content: '', toolCalls: [] };
    return { content: p.content + q.content, reasoning, toolCalls: this.withIds([...p.toolCalls, ...q.toolCalls]) };
  }

  /** The first delta of each call carries its id and type, as OpenAI streams them. */
  private withIds(deltas: ToolCallDelta[]): ToolCallDelta[] {
    return deltas.map((d) => {
      if (this.callIds.has(d.index)) return d.id === undefined ? d : { ...d, id: undefined };
      const id = d.id ?? this.opts.newCallId();
      this.callIds.set(d.index, id);
      return { ...d, id, type: 'function' };
    });
  }
}

function joinSplit(a: { reasoning: string; content: string }, b: { reasoning: string; content: string }) {
  return { reasoning: a.reasoning + b.reasoning, content: a.content + b.content };
}

/** Whole tool calls from a choice's stream of deltas (merged by index). */
export class ToolCallCollector {
  private readonly calls: ToolCall[] = [];

  add(deltas: readonly ToolCallDelta[]): void {
    for (const d of deltas) {
      let c = this.calls[d.index];
      if (!c) c = this.calls[d.index] = { id: d.id ?? '', type: 'function', function: { name: '', arguments: '' } };
      if (d.id) c.id = d.id;
      if (d.function.name) c.function.name += d.function.name;
      if (d.function.arguments) c.function.arguments += d.function.arguments;
    }
  }

  result(): ToolCall[] {
    return this.calls.filter(Boolean);
  }
}
