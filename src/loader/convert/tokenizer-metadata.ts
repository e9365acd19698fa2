// The tokenizer half of a converted GGUF: tokenizer.json, tokenizer_config.json and a
// chat template file read from the model directory, turned into tokenizer.* keys by the
// text layer (src/text/gguf-export.ts) and typed as llama.cpp's writer types them.
import { detectBpePre } from '../../text/bpe-pre-detect.ts';
import { TokenizerLoadError } from '../../text/errors.ts';
import { ggufTokenizerEntries, parseJson, type GgufTokenizerValue } from '../../text/gguf-export.ts';
import { GgufValueType as T, kv, type GgufKv } from '../gguf/index.ts';
import { dirFilePath, type DirReader } from '../hf/dir-reader.ts';
import type { JsonObject } from '../hf/json-fields.ts';
import { LoaderError } from '../loader-error.ts';

export interface TokenizerMetadataInput {
  readonly dir: DirReader;
  readonly rawConfig: JsonObject;
  readonly vocabSize: number;
  /** general.architecture: llama models also get add_space_prefix from the tokenizer config. */
  readonly arch: string;
  /** tokenizer.ggml.pre; detected from the tokenizer when absent. */
  readonly pre?: string;
}

function typed(key: string, v: GgufTokenizerValue): GgufKv {
  if (typeof v === 'string') return kv.string(v);
  if (typeof v === 'boolean') return kv.bool(v);
  if (typeof v === 'number') return kv.u32(v);
  if (v instanceof Int32Array) return kv.array(T.INT32, v);
  if (Array.isArray(v)) return kv.array(T.STRING, v);
  throw new TypeError(`tokenizer metadata '${key}': unexpected value`);
}

async function chatTemplateFile(dir: DirReader): Promise<string | undefined> {
  const jinja = await dir.readText('chat_template.jinja');
  if (jinja !== null) return jinja;
  const json = parseJson(await dir.readText('chat_template.json') ?? undefined, 'chat_template.json');
  return typeof json?.chat_template === 'string' ? json.chat_template : undefined;
}

export async function tokenizerMetadata(input: TokenizerMetadataInput): Promise<[string, GgufKv][]> {
  const { dir } = input;
  const tokenizerJson = await dir.readText('tokenizer.json');
  if (tokenizerJson === null) {
    const spm = (await dir.list().catch((): string[] => [])).includes('tokenizer.model');
    throw new LoaderError('missing-file', dirFilePath(dir, 'tokenizer.json'),
      spm ? 'missing: only tokenizer.json (byte-level BPE) vocabularies can be converted, not SentencePiece tokenizer.model'
        : 'missing: the vocabulary is converted from tokenizer.json');
  }
  try {
    // Parsed once (several MB): the pre-tokenizer check and the export both read it.
    const json = parseJson(tokenizerJson, 'tokenizer.json');
    const tokenizerConfig = parseJson(await dir.readText('tokenizer_config.json') ?? undefined, 'tokenizer_config.json');
    const pre = input.pre ?? await detectBpePre({ tokenizerJson: json, tokenizerConfig }); // reads json without changing it
    const entries = ggufTokenizerEntries({
      tokenizerJson: json, tokenizerConfig, modelConfig: input.rawConfig, chatTemplate: await chatTemplateFile(dir), vocabSize: input.vocabSize,
    }, pre);
    const out = entries.map(([k, v]): [string, GgufKv] => [k, typed(k, v)]);
    const addPrefix = tokenizerConfig?.add_prefix_space;
    if (input.arch === 'llama' && typeof addPrefix === 'boolean') out.push(['tokenizer.ggml.add_space_prefix', kv.bool(addPrefix)]);
    return out;
  } catch (e) {
    if (e instanceof TokenizerLoadError) throw new LoaderError('bad-config', dirFilePath(dir, e.source), e.problem);
    throw e;
  }
}
