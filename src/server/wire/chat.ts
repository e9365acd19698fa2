// POST /v1/chat/completions: the request as OpenAI documents it (plus vLLM's extensions),
// and the response and chunk shapes. Message contents are checked in depth by
// toTemplateMessages (src/server/tools/messages.ts); here only their outline.
import { z } from 'zod';
import { generationFields } from './common.ts';

const nullable = <T extends z.ZodType>(t: T) => t.nullish();

export const ROLES = ['system', 'developer', 'user', 'assistant', 'tool'] as const;

const message = z.object({ role: z.enum(ROLES) }).loose();

const functionName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'function names are 1-64 of a-z, A-Z, 0-9, _ . -');

export const toolSchema = z
  .object({
    type: z.literal('function'),
    function: z
      .object({
        name: functionName,
        description: nullable(z.string()),
        parameters: nullable(z.record(z.string(), z.unknown())),
        strict: nullable(z.boolean()),
      })
      .strict(),
  })
  .strict();

export const toolChoiceSchema = z.union([
  z.enum(['none', 'auto', 'required']),
  z.object({ type: z.literal('function'), function: z.object({ name: functionName }).strict() }).strict(),
]);

export const responseFormatSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('text') }).strict(),
  z.object({ type: z.literal('json_object') }).strict(),
  z
    .object({
      type: z.literal('json_schema'),
      json_schema: z
        .object({
          name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'names are 1-64 of a-z, A-Z, 0-9, _ -'),
          description: nullable(z.string()),
          schema: nullable(z.record(z.string(), z.unknown())),
          strict: nullable(z.boolean()),
        })
        .strict(),
    })
    .strict(),
]);

/** Fields OpenAI has that this server refuses with 400 unsupported_parameter. */
export const UNSUPPORTED_CHAT_FIELDS = ['audio', 'prediction', 'web_search_options', 'functions', 'function_call'] as const;

export const chatRequestSchema = z
  .object({
    ...generationFields,
    messages: z.array(message).min(1),
    max_completion_tokens: nullable(z.number().int().min(1)),
    logprobs: nullable(z.boolean()),
    top_logprobs: nullable(z.number().int().min(0).max(20)),
    tools: nullable(z.array(toolSchema).max(128)),
    tool_choice: nullable(toolChoiceSchema),
    parallel_tool_calls: nullable(z.boolean()),
    response_format: nullable(responseFormatSchema),
    reasoning_effort: nullable(z.enum(['none', 'minimal', 'low', 'medium', 'high'])),
    modalities: nullable(z.array(z.literal('text'))),
    chat_template_kwargs: nullable(z.record(z.string(), z.unknown())),
    // Declared so that they reach the unsupported_parameter check rather than "unrecognized".
    audio: z.unknown().optional(),
    prediction: z.unknown().optional(),
    web_search_options: z.unknown().optional(),
    functions: z.unknown().optional(),
    function_call: z.unknown().optional(),
  })
  .strict();

export type ChatRequest = z.infer<typeof chatRequestSchema>;
export type Tool = z.infer<typeof toolSchema>;
export type ToolChoice = z.infer<typeof toolChoiceSchema>;

export type ChatFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface ChatLogprobEntry {
  token: string;
  logprob: number;
  bytes: number[] | null;
  top_logprobs: { token: string; logprob: number; bytes: number[] | null }[];
}

export interface ChatLogprobs {
  content: ChatLogprobEntry[] | null;
  refusal: null;
}

export interface Usage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens: number };
}

export interface ChatCompletion {
  id: string;
  object: 'chat.completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: {
    index: number;
    message: { role: 'assistant'; content: string | null; refusal: null; reasoning_content?: string; tool_calls?: ToolCall[] };
    logprobs: ChatLogprobs | null;
    finish_reason: ChatFinishReason;
  }[];
  usage: Usage;
}

export interface ChatDelta {
  role?: 'assistant';
  content?: string | null;
  reasoning_content?: string;
  tool_calls?: { index: number; id?: string; type?: 'function'; function: { name?: string; arguments?: string } }[];
}

export interface ChatCompletionChunk {
  id: string;
  object: 'chat.completion.chunk';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: { index: number; delta: ChatDelta; logprobs: ChatLogprobs | null; finish_reason: ChatFinishReason | null }[];
  usage?: Usage | null;
}
