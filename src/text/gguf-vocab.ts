// GGUF tokenizer metadata (tokenizer.ggml.*) read from a plain key -> value record and
// checked. Values may be plain (string[], number, boolean), typed arrays, or the GGUF
// reader's wrappers ({type, value} key-values and {itemType, items} arrays).
import { TokenizerLoadError } from './errors.ts';

/** llama.cpp's llama_token_type, as stored in tokenizer.ggml.token_type. */
export const TokenType = { NORMAL: 1, UNKNOWN: 2, CONTROL: 3, USER_DEFINED: 4, UNUSED: 5, BYTE: 6 } as const;

export interface GgufVocab {
  /** tokenizer.ggml.model: "gpt2" (byte-level BPE) or "llama" (SentencePiece). */
  readonly model: 'gpt2' | 'llama';
  /** tokenizer.ggml.pre: which pre-tokenizer split regex a gpt2 vocabulary uses. */
  readonly pre: string | undefined;
  /** Token text in id order; empty entries renamed "[EMPTY_<id>]" as llama.cpp does. */
  readonly tokens: readonly string[];
  /** One TokenType per token (NORMAL when the file has none). */
  readonly types: ArrayLike<number>;
  /** SentencePiece piece scores (0 when absent). */
  readonly scores: ArrayLike<number> | undefined;
  /** BPE merges, "left right", in rank order (gpt2 only). */
  readonly merges: readonly string[] | undefined;
  readonly bosId: number | undefined;
  readonly eosId: number | undefined;
  readonly eotId: number | undefined;
  readonly eomId: number | undefined;
  readonly unkId: number | undefined;
  readonly padId: number | undefined;
  readonly addBos: boolean | undefined;
  readonly addEos: boolean | undefined;
  readonly addSpacePrefix: boolean | undefined;
}

const SOURCE = 'GGUF metadata';
function fail(problem: string): never {
  throw new TokenizerLoadError(SOURCE, problem);
}

/** GGUF metadata as a record, or as the reader's Map (GgufFile.metadata). */
export type GgufMetadataLike = Readonly<Record<string, unknown>> | ReadonlyMap<string, unknown>;

/** A metadata value by key, unwrapped. */
export function metaValue(meta: GgufMetadataLike, key: string): unknown {
  return unwrap(meta instanceof Map ? meta.get(key) : (meta as Record<string, unknown>)[key]);
}

export function readGgufVocab(meta: GgufMetadataLike): GgufVocab {
  if (!meta || typeof meta !== 'object') fail('expected a key -> value record');
  const get = (key: string) => metaValue(meta, key);
  const model = get('tokenizer.ggml.model');
  if (model === undefined) fail('no tokenizer in this file: key "tokenizer.ggml.model" is missing');
  if (model !== 'gpt2' && model !== 'llama') {
    fail(`unsupported tokenizer.ggml.model ${JSON.stringify(model)} (supported: "gpt2" byte-level BPE, "llama" SentencePiece)`);
  }
  const rawTokens = get('tokenizer.ggml.tokens');
  if (rawTokens === undefined) fail('key "tokenizer.ggml.tokens" is missing');
  const tokens = Array.from(list(rawTokens, 'tokenizer.ggml.tokens'), (t, i) => {
    if (typeof t !== 'string') fail(`tokenizer.ggml.tokens[${i}] is not a string`);
    return t === '' ? `[EMPTY_${i}]` : (t as string);
  });
  const n = tokens.length;
  if (n === 0) fail('tokenizer.ggml.tokens is empty');
  const types = numbers(get('tokenizer.ggml.token_type'), 'tokenizer.ggml.token_type', n) ?? new Uint8Array(n).fill(TokenType.NORMAL);
  const scores = numbers(get('tokenizer.ggml.scores'), 'tokenizer.ggml.scores', n);
  let merges: string[] | undefined;
  if (model === 'gpt2') {
    const raw = get('tokenizer.ggml.merges');
    if (raw === undefined) fail('key "tokenizer.ggml.merges" is missing (a "gpt2" tokenizer needs its BPE merges)');
    merges = Array.from(list(raw, 'tokenizer.ggml.merges'), (m, i) =>
      typeof m === 'string' ? m : fail(`tokenizer.ggml.merges[${i}] is not a string`));
  }
  const pre = get('tokenizer.ggml.pre');
  const id = (key: string) => tokenId(get(key), key, n);
  const flag = (key: string) => {
    const v = get(key);
    if (v === undefined || typeof v === 'boolean') return v;
    return fail(`${key} is not a boolean`);
  };
  return {
    model,
    pre: typeof pre === 'string' && pre !== '' ? pre : undefined,
    tokens, types, scores, merges,
    bosId: id('tokenizer.ggml.bos_token_id'),
    eosId: id('tokenizer.ggml.eos_token_id'),
    eotId: id('tokenizer.ggml.eot_token_id'),
    eomId: id('tokenizer.ggml.eom_token_id'),
    unkId: id('tokenizer.ggml.unknown_token_id'),
    padId: id('tokenizer.ggml.padding_token_id'),
    addBos: flag('tokenizer.ggml.add_bos_token'),
    addEos: flag('tokenizer.ggml.add_eos_token'),
    addSpacePrefix: flag('tokenizer.ggml.add_space_prefix'),
  };
}

/** Strips the GGUF reader's {type, value} and {itemType, items} wrappers. */
export function unwrap(v: unknown): unknown {
  if (v && typeof v === 'object' && !ArrayBuffer.isView(v) && !Array.isArray(v)) {
    const o = v as Record<string, unknown>;
    if ('value' in o && 'type' in o) return unwrap(o.value);
    if ('items' in o && 'itemType' in o) return o.items;
  }
  return v;
}

function list(v: unknown, key: string): ArrayLike<unknown> {
  if (Array.isArray(v) || ArrayBuffer.isView(v)) return v as unknown as ArrayLike<unknown>;
  return fail(`${key} is not an array`);
}

function numbers(v: unknown, key: string, n: number): ArrayLike<number> | undefined {
  if (v === undefined) return undefined;
  const items = list(v, key);
  if (items.length < n) fail(`${key} has ${items.length} entries for ${n} tokens`);
  if (items instanceof Float32Array || items instanceof Int32Array || items instanceof Uint8Array) return items;
  return Array.from(items, (x, i) => {
    const num = typeof x === 'bigint' ? Number(x) : x;
    return typeof num === 'number' ? num : fail(`${key}[${i}] is not a number`);
  });
}

function tokenId(v: unknown, key: string, n: number): number | undefined {
  if (v === undefined) return undefined;
  const id = typeof v === 'bigint' ? Number(v) : v;
  if (typeof id !== 'number' || !Number.isInteger(id)) return fail(`${key} is not an integer`);
  // llama.cpp ignores an out-of-range special id (with a warning) rather than failing.
  return id >= 0 && id < n ? id : undefined;
}
