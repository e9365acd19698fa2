// Small request bodies: tokenize/detokenize, model load/unload, embeddings (refused).
import { z } from 'zod';

const nullable = <T extends z.ZodType>(t: T) => t.nullish();

export const tokenizeRequestSchema = z
  .object({
    model: z.string().min(1),
    /** Text to tokenize as is ... */
    prompt: nullable(z.string()),
    /** ... or chat messages rendered through the model's chat template. */
    messages: nullable(z.array(z.object({ role: z.string() }).loose()).min(1)),
    add_special_tokens: nullable(z.boolean()),
    add_generation_prompt: nullable(z.boolean()),
    return_token_strs: nullable(z.boolean()),
    tools: z.unknown().optional(),
    chat_template_kwargs: nullable(z.record(z.string(), z.unknown())),
  })
  .strict()
  .refine((b) => (b.prompt == null) !== (b.messages == null), { message: 'give exactly one of prompt or messages', path: ['prompt'] });

export type TokenizeRequest = z.infer<typeof tokenizeRequestSchema>;

export const detokenizeRequestSchema = z
  .object({ model: z.string().min(1), tokens: z.array(z.number().int().min(0)), skip_special_tokens: nullable(z.boolean()) })
  .strict();

/** Seed 003 writes {"name": ...}; OpenAI-style clients write {"model": ...}. */
export const modelActionSchema = z
  .object({ model: nullable(z.string().min(1)), name: nullable(z.string().min(1)) })
  .strict()
  .refine((b) => b.model != null || b.name != null, { message: 'expected "model" (or "name")', path: ['model'] });

export const embeddingsRequestSchema = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(z.string()), z.array(z.number().int()), z.array(z.array(z.number().int()))]),
    encoding_format: nullable(z.enum(['float', 'base64'])),
    dimensions: nullable(z.number().int().min(1)),
    user: nullable(z.string()),
  })
  .strict();
