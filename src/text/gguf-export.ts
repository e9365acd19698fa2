// tokenizer.json (+ tokenizer_config.json, config.json) -> GGUF tokenizer metadata, as
// llama.cpp's convert_hf_to_gguf.py writes it for a byte-level BPE vocabulary
// (TextModel.get_vocab_base, then gguf-py's SpecialVocab):
//   - one token per id up to the model's vocab_size (the embedding rows); ids without a
//     token become "[PAD<id>]" (UNUSED); added tokens are CONTROL when special or
//     special-looking, else USER_DEFINED (with "▁" turned back into a space); the rest NORMAL.
//   - merges as "left right" strings (the pair form's spaces written as "Ġ").
//   - special ids from tokenizer_config.json's *_token (looked up among the added tokens),
//     then config.json's *_token_id for those still unset; add_bos/add_eos from a
//     TemplateProcessing post-processor, overridden by tokenizer_config's add_*_token.
//   - the chat template from tokenizer_config.json, else chat_template.jinja/.json.
// Values are plain JS (ids as numbers, token types as an Int32Array) so this module does
// not depend on the GGUF writer; the converter types them (u32, i32 array, ...).
// SentencePiece vocabularies (tokenizer.model) are not converted.
import { TokenizerLoadError } from './errors.ts';
import { TokenType } from './gguf-vocab.ts';
import { specialTokenText } from './special-tokens.ts';

type Json = Record<string, any>;

export type GgufTokenizerValue = string | number | boolean | readonly string[] | Int32Array;
/** tokenizer.* keys in the order llama.cpp writes them. */
export type GgufTokenizerEntries = [key: string, value: GgufTokenizerValue][];

export interface HfTokenizerSource {
  /** tokenizer.json: its text or the parsed object. */
  readonly tokenizerJson: unknown;
  /** tokenizer_config.json (special tokens, add_*_token, chat_template). */
  readonly tokenizerConfig?: unknown;
  /** config.json: *_token_id fallbacks. */
  readonly modelConfig?: unknown;
  /** chat_template.jinja's text (or chat_template.json's "chat_template"), used when tokenizer_config has none. */
  readonly chatTemplate?: string;
  /** Rows of the embedding (config.json vocab_size); default: one past the largest token id. */
  readonly vocabSize?: number;
}

const SOURCE = 'tokenizer.json';
// SpecialVocab's special_token_types and the GGUF keys llama.cpp stores them under.
const SPECIAL_KEYS: [string, string][] = [
  ['bos', 'bos_token_id'], ['eos', 'eos_token_id'], ['unk', 'unknown_token_id'], ['sep', 'seperator_token_id'],
  ['pad', 'padding_token_id'], ['cls', 'cls_token_id'], ['mask', 'mask_token_id'],
];
// GGUFWriter has add_add_{bos,eos,sep}_token only; SpecialVocab skips the others.
const ADD_FLAGS = ['bos', 'eos', 'sep'];

export function parseJson(v: unknown, source: string): Json | undefined {
  if (v === undefined || v === null) return undefined;
  if (v instanceof Uint8Array) v = new TextDecoder().decode(v);
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch (e) {
      throw new TokenizerLoadError(source, `not valid JSON (${(e as Error).message})`);
    }
  }
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TokenizerLoadError(source, 'expected a JSON object');
  return v as Json;
}

/** convert_hf_to_gguf.py's does_token_look_special. */
export function looksSpecial(t: string): boolean {
  return ['<pad>', '<mask>', '<2mass>', '[@BOS@]'].includes(t) ||
    (t.startsWith('<|') && t.endsWith('|>')) || (t.startsWith('<｜') && t.endsWith('｜>')) ||
    (t.startsWith('<unused') && t.endsWith('>'));
}

/** Checks that tokenizer.json is a byte-level BPE model llama.cpp stores as "gpt2". */
export function checkByteLevelBpe(json: Json): void {
  const model = json.model as Json | undefined;
  if (!model || typeof model.vocab !== 'object') throw new TokenizerLoadError(SOURCE, 'missing "model.vocab"');
  if (model.type !== undefined && model.type !== 'BPE') {
    throw new TokenizerLoadError(SOURCE, `model type ${JSON.stringify(model.type)}: only byte-level BPE vocabularies can be converted`);
  }
  if (model.byte_fallback) {
    throw new TokenizerLoadError(SOURCE, 'a BPE model with byte_fallback (SentencePiece-style) cannot be converted yet; only byte-level BPE (Llama 3, Qwen, Mistral Tekken)');
  }
  if (!Array.isArray(model.merges)) throw new TokenizerLoadError(SOURCE, 'missing "model.merges"');
}

function tokenList(json: Json, vocabSize: number | undefined): { tokens: string[]; types: Int32Array } {
  const byId = new Map<number, string>();
  for (const [t, id] of Object.entries(json.model.vocab as Record<string, number>)) byId.set(id, t);
  const added = new Map<number, Json>();
  for (const a of (json.added_tokens ?? []) as Json[]) {
    byId.set(a.id, a.content);
    added.set(a.id, a);
  }
  let maxId = -1;
  for (const id of byId.keys()) maxId = Math.max(maxId, id);
  const n = vocabSize ?? maxId + 1;
  if (maxId >= n) throw new TokenizerLoadError(SOURCE, `token id ${maxId} is not below the model's vocab_size ${n}`);
  const tokens: string[] = [];
  const types = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    let t = byId.get(i);
    const a = added.get(i);
    if (t === undefined) {
      t = `[PAD${i}]`;
      types[i] = TokenType.UNUSED;
    } else if (a) {
      // llama.cpp re-normalizes non-normalized added tokens (decode(encode(t))): a no-op for byte-level BPE.
      if (a.special || looksSpecial(t)) types[i] = TokenType.CONTROL;
      else {
        t = t.replaceAll('\u2581', ' ');
        types[i] = TokenType.USER_DEFINED;
      }
    } else types[i] = TokenType.NORMAL;
    tokens.push(t);
  }
  return { tokens, types };
}

function mergeList(json: Json): string[] {
  const merges = json.model.merges as (string | string[])[];
  // transformers >= 4.45 writes pairs so tokens may hold spaces; GGUF keeps "a b" strings.
  const part = (s: string) => s.replaceAll(' ', '\u0120');
  return merges.map((m) => (Array.isArray(m) ? m.map(part).join(' ') : m));
}

/**
 * TemplateProcessing (possibly inside a Sequence): does it add BOS first / EOS last?
 * Without a tokenizer_config.json the template's own first/last tokens count as BOS/EOS.
 */
function templateFlags(pp: Json | undefined, bos: string | undefined, eos: string | undefined, hasConfig: boolean, add: Map<string, boolean>): void {
  if (!pp) return;
  for (const p of (pp.processors ?? [pp]) as Json[]) {
    if (p?.type !== 'TemplateProcessing') continue;
    const single = (p.single ?? []) as Json[];
    if (single.length <= 1) continue;
    const first = single[0]?.SpecialToken?.id as string | undefined;
    if (first) add.set('bos', !hasConfig || first === bos);
    const last = single.at(-1)?.SpecialToken?.id as string | undefined;
    if (last) add.set('eos', !hasConfig || last === eos);
  }
}

/**
 * GGUF tokenizer.* entries for a byte-level BPE tokenizer.json, with `pre` as
 * tokenizer.ggml.pre (see detectBpePre). Throws a TokenizerLoadError for other tokenizers.
 */
export function ggufTokenizerEntries(src: HfTokenizerSource, pre: string): GgufTokenizerEntries {
  const json = parseJson(src.tokenizerJson, SOURCE);
  if (!json) throw new TokenizerLoadError(SOURCE, 'missing (a byte-level BPE tokenizer.json is needed to convert the vocabulary)');
  checkByteLevelBpe(json);
  const config = parseJson(src.tokenizerConfig, 'tokenizer_config.json');
  const modelConfig = parseJson(src.modelConfig, 'config.json') ?? {};
  const { tokens, types } = tokenList(json, src.vocabSize);
  const out: GgufTokenizerEntries = [
    ['tokenizer.ggml.model', 'gpt2'], ['tokenizer.ggml.pre', pre],
    ['tokenizer.ggml.tokens', tokens], ['tokenizer.ggml.token_type', types],
    ['tokenizer.ggml.merges', mergeList(json)],
  ];
  const ids = new Map<string, number>();
  const add = new Map<string, boolean>();
  const text = (typ: string) => specialTokenText(config?.[`${typ}_token`]);
  templateFlags(json.post_processor as Json | undefined, text('bos') ?? text('cls'), text('eos') ?? text('sep'), !!config, add);
  let chatTemplate: unknown;
  if (config) {
    chatTemplate = config.chat_template ?? src.chatTemplate;
    const addedTokens = (json.added_tokens ?? []) as Json[];
    for (const [typ] of SPECIAL_KEYS) {
      if (typeof config[`add_${typ}_token`] === 'boolean') add.set(typ, config[`add_${typ}_token`]);
      const content = text(typ);
      const id = content === undefined ? undefined : addedTokens.find((a) => a.content === content)?.id;
      if (Number.isInteger(id) && id >= 0 && !ids.has(typ)) ids.set(typ, id);
    }
  }
  for (const [typ] of SPECIAL_KEYS) {
    const id = modelConfig[`${typ}_token_id`]; // a list (several EOS ids) is not an int: skipped, as llama.cpp does
    if (Number.isInteger(id) && id >= 0 && !ids.has(typ)) ids.set(typ, id);
  }
  for (const [typ, id] of ids) out.push([`tokenizer.ggml.${SPECIAL_KEYS.find(([t]) => t === typ)![1]}`, id]);
  for (const [typ, v] of add) if (ADD_FLAGS.includes(typ)) out.push([`tokenizer.ggml.add_${typ}_token`, v]);
  if (typeof chatTemplate === 'string') out.push(['tokenizer.chat_template', chatTemplate]);
  return out;
}
