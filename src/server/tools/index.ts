// The chat-completions text protocol around tool calls: which format a model writes,
// a streaming parser for it, and OpenAI messages -> chat-template messages.
export { detectToolCallFormat, type ToolCallFormat } from './format.ts';
export {
  assembleToolCalls, createToolCallParser, parseToolCalls,
  type ParsedChunk, type ToolCall, type ToolCallDelta, type ToolCallParser, type ToolCallParserOptions,
} from './parser.ts';
export { toTemplateMessages } from './messages.ts';
export { ToolMessageError } from './errors.ts';
