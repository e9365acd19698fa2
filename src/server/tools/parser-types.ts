// What a tool-call parser hands the server: content text and tool-call deltas shaped as
// OpenAI streams them in `choices[].delta.tool_calls`.

/**
 * One piece of a tool call. The first piece of a call carries index, id, type, the whole
 * function name and arguments ''; later pieces carry index and an arguments fragment.
 * The arguments fragments of a call, concatenated, are one JSON object's text.
 */
export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function: { name?: string; arguments?: string };
}

export interface ParsedChunk {
  content: string;
  toolCalls: ToolCallDelta[];
}

export interface ToolCallParser {
  /** Feeds the next text delta of the model's reply. */
  push(text: string): ParsedChunk;
  /** The reply ended: releases held-back text and closes an unfinished call. */
  finish(): ParsedChunk;
  /** Whether any tool call was emitted so far (finish_reason "tool_calls"). */
  readonly sawToolCall: boolean;
}
