// GGUF metadata -> Tokenizer: the embedded vocabulary is rewritten as the tokenizer.json
// it stands for and handed to the same engine the tokenizer.json path uses.
import { Tokenizer as HfEngine } from '@huggingface/tokenizers';
import { TokenizerLoadError } from './errors.ts';
import { bpeTokenizerJson } from './gguf-bpe.ts';
import { unusedIds } from './gguf-common.ts';
import { applySpmRanks, spmMerges, spmTokenizerJson } from './gguf-spm.ts';
import { readGgufVocab, type GgufMetadataLike, type GgufVocab } from './gguf-vocab.ts';
import { HfTokenizer } from './hf-tokenizer.ts';

const SOURCE = 'GGUF metadata';

/** `meta`: the file's metadata (a record or the reader's Map; plain values or its wrappers). */
export function tokenizerFromGguf(meta: GgufMetadataLike): HfTokenizer {
  const v = readGgufVocab(meta);
  let engine: HfEngine;
  let addBosDefault: boolean;
  if (v.model === 'gpt2') {
    const { json, pre } = bpeTokenizerJson(v);
    engine = construct(json);
    addBosDefault = pre.addBos ?? false;
  } else {
    const merges = spmMerges(v);
    engine = construct(spmTokenizerJson(v, merges));
    applySpmRanks(engine, merges);
    addBosDefault = true;
  }
  return new HfTokenizer(engine, specFor(v, addBosDefault));
}

function construct(json: Record<string, unknown>): HfEngine {
  try {
    return new HfEngine(json, {});
  } catch (e) {
    throw new TokenizerLoadError(SOURCE, `cannot build the tokenizer: ${(e as Error).message}`);
  }
}

function specFor(v: GgufVocab, addBosDefault: boolean) {
  // llama.cpp's defaults when the file names no special ids: SentencePiece <unk>=0 <s>=1 </s>=2.
  const spm = v.model === 'llama';
  const inVocab = (id: number) => (id < v.tokens.length ? id : undefined);
  const bos = v.bosId ?? (spm ? inVocab(1) : undefined) ?? null;
  const eos = v.eosId ?? (spm ? inVocab(2) : undefined) ?? null;
  const unk = v.unkId ?? (spm ? inVocab(0) : undefined) ?? null;
  // A family default (llama.cpp adds BOS for SentencePiece and Llama 3) needs a BOS id;
  // only an explicit tokenizer.ggml.add_bos_token without one is an error.
  const addBos = v.addBos ?? (addBosDefault && bos !== null);
  const addEos = v.addEos ?? false;
  if (addBos && bos === null) throw new TokenizerLoadError(SOURCE, 'tokenizer.ggml.add_bos_token is true but tokenizer.ggml.bos_token_id is not set');
  if (addEos && eos === null) throw new TokenizerLoadError(SOURCE, 'tokenizer.ggml.add_eos_token is true but tokenizer.ggml.eos_token_id is not set');
  return {
    special: { bos, eos, pad: v.padId ?? null, unk },
    extraStopIds: [v.eotId ?? null, v.eomId ?? null],
    prefixIds: addBos && bos !== null ? [bos] : [],
    suffixIds: addEos && eos !== null ? [eos] : [],
    hiddenIds: unusedIds(v),
  };
}
