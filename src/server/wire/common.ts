// Request fields chat and text completions share. Sampling fields are checked by
// resolveSamplingParams (src/sample/params.ts), so here they are only declared.
import { z } from 'zod';

/** Most choices one request may ask for. */
export const MAX_N = 16;
/** Most stop strings one request may give. */
export const MAX_STOP = 16;

const nullable = <T extends z.ZodType>(t: T) => t.nullish();

export const stopField = nullable(z.union([z.string(), z.array(z.string().min(1)).max(MAX_STOP)]));

export const streamOptionsField = nullable(
  z.object({ include_usage: nullable(z.boolean()), continuous_usage_stats: nullable(z.boolean()) }).strict(),
);

/** Fields of both endpoints: generation length, choices, stopping, sampling, vLLM extensions. */
export const generationFields = {
  model: z.string().min(1),
  stream: nullable(z.boolean()),
  stream_options: streamOptionsField,
  max_tokens: nullable(z.number().int().min(1)),
  n: nullable(z.number().int().min(1).max(MAX_N)),
  stop: stopField,
  // Checked by resolveSamplingParams, which names the field in its error.
  temperature: z.unknown().optional(),
  top_p: z.unknown().optional(),
  top_k: z.unknown().optional(),
  min_p: z.unknown().optional(),
  seed: z.unknown().optional(),
  presence_penalty: z.unknown().optional(),
  frequency_penalty: z.unknown().optional(),
  repetition_penalty: z.unknown().optional(),
  logit_bias: z.unknown().optional(),
  // vLLM's extensions.
  stop_token_ids: nullable(z.array(z.number().int().min(0))),
  ignore_eos: nullable(z.boolean()),
  skip_special_tokens: nullable(z.boolean()),
  // Accepted and ignored: they change nothing a local server does.
  user: nullable(z.string()),
  metadata: z.unknown().optional(),
  store: nullable(z.boolean()),
  service_tier: nullable(z.string()),
};

/** Single string or list -> list (empty strings dropped). */
export function stopList(stop: string | string[] | null | undefined): string[] {
  if (stop === undefined || stop === null) return [];
  return (typeof stop === 'string' ? [stop] : stop).filter((s) => s.length > 0);
}
