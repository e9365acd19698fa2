// tokenizer.json (+ tokenizer_config.json, generation_config.json) -> Tokenizer.
import { Tokenizer as HfEngine } from '@huggingface/tokenizers';
import { TokenizerLoadError } from './errors.ts';
import { HfTokenizer } from './hf-tokenizer.ts';
import { idList, specialTokenText } from './special-tokens.ts';

type Json = Record<string, unknown>;

export interface HfTokenizerFiles {
  /** tokenizer.json: its text or the parsed object. */
  readonly tokenizerJson: unknown;
  /** tokenizer_config.json (optional): special tokens, add_bos_token, chat_template. */
  readonly tokenizerConfig?: unknown;
  /** generation_config.json (optional): its eos_token_id list joins the stop ids. */
  readonly generationConfig?: unknown;
}

export function loadHfTokenizer(files: HfTokenizerFiles): HfTokenizer {
  const json = parseObject(files.tokenizerJson, 'tokenizer.json');
  const config = files.tokenizerConfig === undefined ? {} : parseObject(files.tokenizerConfig, 'tokenizer_config.json');
  const generation = files.generationConfig === undefined ? {} : parseObject(files.generationConfig, 'generation_config.json');
  checkModel(json);
  return buildHfTokenizer({
    json: { normalizer: null, pre_tokenizer: null, post_processor: null, decoder: null, added_tokens: [], ...json },
    config,
    extraEos: idList(generation.eos_token_id),
  });
}

/** Builds the engine from a checked tokenizer.json object and resolves BOS/EOS from config. */
function buildHfTokenizer(args: { json: Json; config: Json; extraEos?: number[] }): HfTokenizer {
  const { json, config } = args;
  let engine: HfEngine;
  try {
    engine = new HfEngine(json, config);
  } catch (e) {
    throw new TokenizerLoadError('tokenizer.json', `unsupported or corrupt tokenizer: ${(e as Error).message}`);
  }
  const id = (v: unknown) => {
    const text = specialTokenText(v);
    return text === undefined ? null : engine.token_to_id(text) ?? null;
  };
  const model = json.model as Json;
  const bos = id(config.bos_token);
  const eos = id(config.eos_token);
  const ends = templateEnds(json.post_processor, (t) => engine.token_to_id(t));
  const prefixIds = overrideEnd(ends.prefix, bos, config.add_bos_token, 'start');
  const suffixIds = overrideEnd(ends.suffix, eos, config.add_eos_token, 'end');
  const extraSpecial = Array.isArray(config.additional_special_tokens)
    ? config.additional_special_tokens.map(specialTokenText).filter((t): t is string => t !== undefined)
    : [];
  return new HfTokenizer(engine, {
    special: { bos, eos, pad: id(config.pad_token), unk: id(config.unk_token) ?? id(model.unk_token) },
    extraStopIds: args.extraEos,
    prefixIds,
    suffixIds,
    extraSpecial,
  });
}

function parseObject(v: unknown, source: string): Json {
  let obj = v;
  if (typeof v === 'string') {
    try {
      obj = JSON.parse(v);
    } catch (e) {
      throw new TokenizerLoadError(source, `not valid JSON (${(e as Error).message})`);
    }
  } else if (v instanceof Uint8Array) {
    return parseObject(new TextDecoder().decode(v), source);
  }
  if (obj === null || obj === undefined) throw new TokenizerLoadError(source, 'missing (got nothing)');
  if (typeof obj !== 'object' || Array.isArray(obj)) throw new TokenizerLoadError(source, 'expected a JSON object');
  return obj as Json;
}

const MODEL_TYPES = ['BPE', 'Unigram', 'WordPiece'];

function checkModel(json: Json): void {
  const model = json.model;
  if (!model || typeof model !== 'object') throw new TokenizerLoadError('tokenizer.json', 'missing "model"');
  const m = model as Json;
  if (!m.vocab || typeof m.vocab !== 'object') throw new TokenizerLoadError('tokenizer.json', 'missing "model.vocab"');
  if (m.type !== undefined && !MODEL_TYPES.includes(m.type as string)) {
    throw new TokenizerLoadError('tokenizer.json', `unsupported model type ${JSON.stringify(m.type)} (supported: ${MODEL_TYPES.join(', ')})`);
  }
  if (m.type === 'BPE' && !Array.isArray(m.merges)) throw new TokenizerLoadError('tokenizer.json', 'missing "model.merges" for a BPE model');
  if (json.added_tokens !== undefined && !Array.isArray(json.added_tokens)) {
    throw new TokenizerLoadError('tokenizer.json', '"added_tokens" is not a list');
  }
}

/** The special tokens a TemplateProcessing post-processor puts around a single sequence. */
function templateEnds(pp: unknown, toId: (t: string) => number | undefined): { prefix: number[]; suffix: number[] } {
  const none = { prefix: [], suffix: [] };
  if (!pp || typeof pp !== 'object') return none;
  const p = pp as Json;
  if (p.type === 'Sequence' && Array.isArray(p.processors)) {
    for (const sub of p.processors) {
      const r = templateEnds(sub, toId);
      if (r.prefix.length || r.suffix.length) return r;
    }
    return none;
  }
  if (p.type !== 'TemplateProcessing' || !Array.isArray(p.single)) return none;
  const table = (p.special_tokens ?? {}) as Record<string, { ids?: number[] }>;
  const out = { prefix: [] as number[], suffix: [] as number[] };
  let seenSequence = false;
  for (const item of p.single as Json[]) {
    if ('Sequence' in item) { seenSequence = true; continue; }
    const name = (item.SpecialToken as { id?: string } | undefined)?.id;
    if (name === undefined) continue;
    const ids = table[name]?.ids ?? [toId(name)].filter((x): x is number => x !== undefined);
    (seenSequence ? out.suffix : out.prefix).push(...ids);
  }
  return out;
}

/** tokenizer_config's add_bos_token / add_eos_token win over the post-processor. */
function overrideEnd(ids: number[], token: number | null, flag: unknown, at: 'start' | 'end'): number[] {
  if (token === null || typeof flag !== 'boolean') return ids;
  if (!flag) return ids.filter((i) => i !== token);
  if (ids.includes(token)) return ids;
  return at === 'start' ? [token, ...ids] : [...ids, token];
}
