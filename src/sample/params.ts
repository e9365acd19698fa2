// Sampling parameters as OpenAI (and vLLM's extensions) name them, with defaults and the
// ranges those servers accept. `resolveSamplingParams` turns a request's loose fields into
// a complete, validated SamplingParams, or throws SamplingParamError naming the field
// (the server reports it as `error.param`).

export interface SamplingParams {
  /** 0 = greedy (argmax); below 1e-5 is treated as 0, as vLLM does. Range [0, 2]. */
  temperature: number;
  /** Nucleus mass in (0, 1]; 1 = off. */
  top_p: number;
  /** Keep the k most likely tokens; 0 = off (requests may say -1 or 0). */
  top_k: number;
  /** Keep tokens whose probability is at least min_p times the top one's; 0 = off. */
  min_p: number;
  /** Integer seed; absent = the engine picks one per request. */
  seed?: number;
  /** Subtracted once from each token that appeared in the output so far. [-2, 2]. */
  presence_penalty: number;
  /** Subtracted per occurrence in the output so far. [-2, 2]. */
  frequency_penalty: number;
  /** > 0; 1 = off. Divides positive / multiplies negative logits of tokens seen in the
   *  prompt or the output (HF / vLLM semantics). */
  repetition_penalty: number;
  /** Token id -> bias added to its logit, in [-100, 100]. */
  logit_bias: ReadonlyMap<number, number>;
  /** Return the sampled token's log-probability. */
  logprobs: boolean;
  /** Also return this many most likely tokens per position, 0..20 (needs logprobs). */
  top_logprobs: number;
}

export const MAX_TOP_LOGPROBS = 20;
/** Temperatures below this sample greedily (vLLM's _SAMPLING_EPS). */
export const GREEDY_TEMPERATURE = 1e-5;

export const DEFAULT_SAMPLING_PARAMS: Readonly<SamplingParams> = Object.freeze({
  temperature: 1,
  top_p: 1,
  top_k: 0,
  min_p: 0,
  presence_penalty: 0,
  frequency_penalty: 0,
  repetition_penalty: 1,
  logit_bias: new Map<number, number>(),
  logprobs: false,
  top_logprobs: 0,
});

export class SamplingParamError extends Error {
  override name = 'SamplingParamError';
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

/** Request fields as they arrive (wire JSON: null means "not given"). */
export type SamplingParamsInput = { [K in keyof SamplingParams]?: unknown };

function num(input: SamplingParamsInput, name: keyof SamplingParams, def: number, ok: (v: number) => boolean, range: string): number {
  const v = input[name];
  if (v === undefined || v === null) return def;
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new SamplingParamError(name, `${name} must be a number, got ${JSON.stringify(v)}`);
  if (!ok(v)) throw new SamplingParamError(name, `${name} must be ${range}, got ${v}`);
  return v;
}

function int(input: SamplingParamsInput, name: keyof SamplingParams, def: number, ok: (v: number) => boolean, range: string): number {
  const v = num(input, name, def, () => true, range);
  if (!Number.isInteger(v)) throw new SamplingParamError(name, `${name} must be an integer, got ${v}`);
  if (!ok(v)) throw new SamplingParamError(name, `${name} must be ${range}, got ${v}`);
  return v;
}

function logitBias(v: unknown, vocabSize?: number): Map<number, number> {
  const out = new Map<number, number>();
  if (v === undefined || v === null) return out;
  const entries = v instanceof Map ? [...v.entries()] : typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : null;
  if (!entries) throw new SamplingParamError('logit_bias', 'logit_bias must be an object mapping token ids to biases');
  for (const [k, b] of entries) {
    const id = typeof k === 'number' ? k : /^\d+$/.test(String(k)) ? Number(k) : NaN;
    if (!Number.isSafeInteger(id) || (vocabSize !== undefined && id >= vocabSize)) {
      const limit = vocabSize !== undefined ? ` below the vocabulary size ${vocabSize}` : '';
      throw new SamplingParamError('logit_bias', `logit_bias keys must be token ids${limit}, got ${JSON.stringify(k)}`);
    }
    if (typeof b !== 'number' || !Number.isFinite(b) || b < -100 || b > 100) {
      throw new SamplingParamError('logit_bias', `logit_bias[${id}] must be a number in [-100, 100], got ${JSON.stringify(b)}`);
    }
    if (b !== 0) out.set(id, b);
  }
  return out;
}

/** Fills defaults and validates; `vocabSize` (when known) bounds logit_bias ids. */
export function resolveSamplingParams(input: SamplingParamsInput = {}, opts: { vocabSize?: number } = {}): SamplingParams {
  const temperature = num(input, 'temperature', 1, (v) => v >= 0 && v <= 2, 'in [0, 2]');
  const top_p = num(input, 'top_p', 1, (v) => v > 0 && v <= 1, 'in (0, 1]');
  const top_k = int(input, 'top_k', 0, (v) => v >= -1, '-1 or 0 (off) or a positive integer');
  const min_p = num(input, 'min_p', 0, (v) => v >= 0 && v <= 1, 'in [0, 1]');
  const presence_penalty = num(input, 'presence_penalty', 0, (v) => v >= -2 && v <= 2, 'in [-2, 2]');
  const frequency_penalty = num(input, 'frequency_penalty', 0, (v) => v >= -2 && v <= 2, 'in [-2, 2]');
  const repetition_penalty = num(input, 'repetition_penalty', 1, (v) => v > 0, 'greater than 0');
  const seed = input.seed === undefined || input.seed === null ? undefined : int(input, 'seed', 0, Number.isSafeInteger, 'a safe integer');
  if (input.logprobs !== undefined && input.logprobs !== null && typeof input.logprobs !== 'boolean') {
    throw new SamplingParamError('logprobs', `logprobs must be a boolean, got ${JSON.stringify(input.logprobs)}`);
  }
  const logprobs = input.logprobs === true;
  const top_logprobs = int(input, 'top_logprobs', 0, (v) => v >= 0 && v <= MAX_TOP_LOGPROBS, `in [0, ${MAX_TOP_LOGPROBS}]`);
  if (top_logprobs > 0 && !logprobs) throw new SamplingParamError('top_logprobs', 'top_logprobs needs logprobs set to true');
  return {
    temperature,
    top_p,
    top_k: Math.max(top_k, 0),
    min_p,
    ...(seed !== undefined && { seed }),
    presence_penalty,
    frequency_penalty,
    repetition_penalty,
    logit_bias: logitBias(input.logit_bias, opts.vocabSize),
    logprobs,
    top_logprobs,
  };
}

/** A complete SamplingParams from a few fields (engine defaults, tests); validates too. */
export function samplingParams(fields: SamplingParamsInput = {}): SamplingParams {
  return resolveSamplingParams(fields);
}

export function isGreedy(p: SamplingParams): boolean {
  return p.temperature < GREEDY_TEMPERATURE;
}

/** A safe-integer seed as the two u32 words the GPU hash takes (two's complement, 64-bit). */
export function seedWords(seed: number): [number, number] {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${seed}`);
  const big = BigInt.asUintN(64, BigInt(seed));
  return [Number(big & 0xffffffffn), Number(big >> 32n)];
}
