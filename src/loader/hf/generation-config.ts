// generation_config.json → GenerationDefaults: the sampling settings a checkpoint's
// authors recommend (Qwen3: temperature 0.6, top_p 0.95, top_k 20). Only what the file
// states is returned; the engine layers request params over these over its own defaults.
import { LoaderError } from '../loader-error.ts';
import type { GenerationDefaults } from '../model-config.ts';
import { JsonFields, parseJsonObject, type JsonObject } from './json-fields.ts';

export const GENERATION_CONFIG_FILE = 'generation_config.json';

function inRange(f: JsonFields, key: string, ok: (v: number) => boolean, want: string): number | undefined {
  const v = f.num(key);
  if (v !== undefined && !ok(v)) throw new LoaderError('bad-config', f.file, `"${key}" must be ${want}, got ${v}`);
  return v;
}

/** A parsed generation_config.json object → GenerationDefaults; `file` is what errors name. */
export function toGenerationDefaults(file: string, raw: JsonObject): GenerationDefaults {
  const f = new JsonFields(file, raw);
  const out: Record<string, unknown> = {
    doSample: f.bool('do_sample'),
    temperature: inRange(f, 'temperature', (v) => v >= 0, 'at least 0'),
    topP: inRange(f, 'top_p', (v) => v > 0 && v <= 1, 'in (0, 1]'),
    topK: f.int('top_k'),
    minP: inRange(f, 'min_p', (v) => v >= 0 && v <= 1, 'in [0, 1]'),
    repetitionPenalty: inRange(f, 'repetition_penalty', (v) => v > 0, 'positive'),
    maxNewTokens: f.int('max_new_tokens'),
    maxLength: f.int('max_length'),
    bosTokenId: f.tokenIds('bos_token_id')[0],
    eosTokenIds: f.has('eos_token_id') ? f.tokenIds('eos_token_id') : undefined,
    padTokenId: f.tokenIds('pad_token_id')[0],
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out as GenerationDefaults;
}

/** generation_config.json's text → GenerationDefaults. */
export function parseGenerationConfig(file: string, text: string): GenerationDefaults {
  return toGenerationDefaults(file, parseJsonObject(file, text));
}
