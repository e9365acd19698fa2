// POST /v1/completions (the legacy text endpoint): the request and response shapes.
import { z } from 'zod';
import { generationFields } from './common.ts';
import { responseFormatSchema, type Usage } from './chat.ts';

const nullable = <T extends z.ZodType>(t: T) => t.nullish();

const tokenIds = z.array(z.number().int().min(0)).min(1);

/** Most prompts one request may carry (a list of strings or of token-id lists). */
export const MAX_PROMPTS = 64;

export const completionRequestSchema = z
  .object({
    ...generationFields,
    prompt: z.union([z.string(), z.array(z.string()).min(1).max(MAX_PROMPTS), tokenIds, z.array(tokenIds).min(1).max(MAX_PROMPTS)]),
    /** OpenAI's default for this endpoint is 16 tokens. */
    max_tokens: nullable(z.number().int().min(1)),
    echo: nullable(z.boolean()),
    /** Here an integer: how many most likely tokens to list per position (0-5 at OpenAI, 0-20 here). */
    logprobs: nullable(z.number().int().min(0).max(20)),
    suffix: nullable(z.string()),
    best_of: nullable(z.number().int().min(1)),
    /** The output as JSON (json_object, json_schema), enforced by constrained decoding. */
    response_format: nullable(responseFormatSchema),
    /** A GBNF grammar (llama.cpp's format) the output must match. */
    grammar: nullable(z.string().min(1).max(100_000)),
  })
  .strict();

export type CompletionRequest = z.infer<typeof completionRequestSchema>;

export interface CompletionLogprobs {
  tokens: string[];
  token_logprobs: (number | null)[];
  top_logprobs: (Record<string, number> | null)[];
  text_offset: number[];
}

export interface CompletionChoice {
  index: number;
  text: string;
  logprobs: CompletionLogprobs | null;
  finish_reason: 'stop' | 'length' | null;
}

export interface Completion {
  id: string;
  object: 'text_completion';
  created: number;
  model: string;
  system_fingerprint: string;
  choices: CompletionChoice[];
  usage?: Usage | null;
}
