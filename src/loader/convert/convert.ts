// Hugging Face directory -> GGUF, as llama.cpp's convert_hf_to_gguf.py converts
// LlamaForCausalLM, MistralForCausalLM, Qwen2ForCausalLM and Qwen3ForCausalLM: GGUF
// names, llama/mistral q/k rows permuted for GGML's rope, llama3 RoPE scaling as a
// rope_freqs.weight tensor, the hyperparameters and the tokenizer as metadata. Tensors
// are produced lazily, one at a time, so a conversion holds at most one tensor (in f32
// and in its output type) in memory: stream planHfToGguf's result with ggufChunks.
import { GgmlType, type GgufKv, type GgufTensorInput } from '../gguf/index.ts';
import type { HfModelDir } from '../hf/model-dir.ts';
import { LoaderError } from '../loader-error.ts';
import { quantize } from '../quant/index.ts';
import { tensorToF32, type TensorEntry } from '../safetensors/index.ts';
import { GGUF_ARCH, hparamsMetadata } from './hparams.ts';
import { convertedTensorType, OUT_TYPES, type OutType } from './outtype.ts';
import { permuteRopeRows } from './permute.ts';
import { llama3RopeFactors } from './rope-freqs.ts';
import { ggufTensorName } from './tensor-names.ts';
import { tokenizerMetadata } from './tokenizer-metadata.ts';

export interface ConvertOptions {
  /** Default 'f16', as llama.cpp's converter. */
  outType?: OutType;
  /** general.name; default: the directory's last path component. */
  name?: string;
  /** tokenizer.ggml.pre; default: detected from tokenizer.json as llama.cpp does. */
  pre?: string;
}

export interface GgufPlan {
  readonly metadata: [string, GgufKv][];
  /** In file order; `data` reads and converts the tensor when called. */
  readonly tensors: GgufTensorInput[];
}

export interface ConvertPlan extends GgufPlan {
  /** The output type, 'auto' resolved. */
  readonly outType: keyof typeof OUT_TYPES;
}

const FLOAT_DTYPES = new Set(['F32', 'F16', 'BF16']);

/** The checkpoint's HF name order, made numeric within layers (layers.2 before layers.10). */
function sortKey(name: string): string {
  return name.replace(/\d+/g, (d) => d.padStart(6, '0'));
}

function resolveOutType(model: HfModelDir, outType: OutType): keyof typeof OUT_TYPES {
  if (outType !== 'auto') return outType;
  // llama.cpp looks at the first tensor with 2+ dims, not at config.json's torch_dtype.
  const first = [...model.tensors.tensors.values()].find((t) => t.shape.length >= 2);
  return first?.dtype === 'BF16' ? 'bf16' : 'f16';
}

function baseName(path: string): string {
  return path.replace(/[\\/]+$/, '').split(/[\\/]/).pop() || 'model';
}

export async function planHfToGguf(model: HfModelDir, opts: ConvertOptions = {}): Promise<ConvertPlan> {
  const c = model.config;
  const outType = resolveOutType(model, opts.outType ?? 'f16');
  const out = OUT_TYPES[outType];
  const arch = GGUF_ARCH[c.family];
  const metadata = hparamsMetadata({ config: c, rawConfig: model.rawConfig, name: opts.name ?? baseName(model.dir.name), fileType: out.fileType });
  metadata.push(...await tokenizerMetadata({ dir: model.dir, rawConfig: model.rawConfig, vocabSize: c.vocabSize, arch, pre: opts.pre }));

  const tensors: GgufTensorInput[] = [];
  if (c.ropeScaling?.type === 'llama3' && arch === 'llama') {
    const factors = llama3RopeFactors(c.ropeTheta, c.headDim, c.ropeScaling);
    tensors.push({ name: 'rope_freqs.weight', dims: [factors.length], type: GgmlType.F32, data: new Uint8Array(factors.buffer) });
  }
  const entries = [...model.tensors.tensors.values()].sort((x, y) => (sortKey(x.name) < sortKey(y.name) ? -1 : 1));
  for (const t of entries) {
    const name = ggufTensorName(t.name);
    if (name === null) continue;
    if (name === undefined) throw new LoaderError('unsupported', t.file.source.name, `cannot map tensor '${t.name}' to a GGUF name (not part of a ${model.config.architecture})`);
    if (!FLOAT_DTYPES.has(t.dtype)) throw new LoaderError('unsupported', t.file.source.name, `tensor '${t.name}' is ${t.dtype}; only F32, F16 and BF16 checkpoints can be converted`);
    if (t.shape.length < 1 || t.shape.length > 2) throw new LoaderError('unsupported', t.file.source.name, `tensor '${t.name}' has shape ${JSON.stringify(t.shape)}; expected 1 or 2 dims`);
    const dims = [...t.shape].reverse();
    const type = convertedTensorType(name, dims, out.type);
    tensors.push({ name, dims, type, data: () => convertTensor(model, t, type) });
  }
  if (!tensors.some((t) => t.name === 'token_embd.weight')) {
    throw new LoaderError('missing-tensor', model.dir.name, "the checkpoint has no 'model.embed_tokens.weight'");
  }
  return { metadata, tensors, outType };
}

async function convertTensor(model: HfModelDir, t: TensorEntry, type: GgmlType): Promise<Uint8Array> {
  let values = tensorToF32(t.dtype, await model.tensors.read(t));
  const c = model.config;
  // llama.cpp permutes for its "llama" architecture only (LlamaModel.undo_permute).
  if (c.family === 'llama' || c.family === 'mistral') {
    const rowLength = t.shape.length === 2 ? t.shape[1] : 1;
    if (/\.self_attn\.q_proj\.(weight|bias)$/.test(t.name)) values = permuteRopeRows(values, c.numHeads, rowLength);
    else if (/\.self_attn\.k_proj\.(weight|bias)$/.test(t.name)) values = permuteRopeRows(values, c.numKvHeads, rowLength);
  }
  return quantize(type, values);
}
