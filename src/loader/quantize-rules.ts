// Which ggml type each tensor of a model gets when `basert quantize` writes a file type,
// after llama-quantize (src/llama-quant.cpp, llama_tensor_get_type) for the types basert
// offers:
//   - only 2-D+ tensors whose names end in "weight" are quantized, never norms;
//   - output.weight (or token_embd.weight when the embeddings are tied) gets Q6_K, or
//     Q8_0 when its rows are not a multiple of the type's block or the file is Q8_0;
//   - Q4_K_M: attn_v and ffn_down get Q6_K in the first and last eighth of the layers
//     and every third layer between (use_more_bits); Q4_K_S: Q5_K for the first four
//     attn_v and the first eighth of ffn_down;
//   - a row length that is not a multiple of the chosen type's block falls back:
//     Q4_K -> Q5_0, Q5_K -> Q5_1, Q6_K -> Q8_0, and to F16 when even that does not fit.
//     (llama-quantize stops with an error for Q4_0/Q8_0 rows not a multiple of 32; we fall
//     back to F16 there too.)
// `pure` (llama-quantize --pure) gives every quantizable tensor the default type, with
// the same fallbacks.
import { blockOf } from './convert/tensor-names.ts';
import { LlamaFileType } from './convert/outtype.ts';
import { GgmlType, ggmlTypeInfo } from './quant/formats.ts';

export interface FileTypeSpec {
  readonly name: string;
  readonly fileType: number;
  /** The type most tensors get. */
  readonly defaultType: GgmlType;
}

const spec = (name: string, fileType: number, defaultType: GgmlType): FileTypeSpec => ({ name, fileType, defaultType });

/** Upper-case names as llama-quantize takes them. */
export const FILE_TYPES: readonly FileTypeSpec[] = [
  spec('Q8_0', LlamaFileType.MOSTLY_Q8_0, GgmlType.Q8_0),
  spec('Q4_0', LlamaFileType.MOSTLY_Q4_0, GgmlType.Q4_0),
  spec('Q4_K_M', LlamaFileType.MOSTLY_Q4_K_M, GgmlType.Q4_K),
  spec('Q4_K_S', LlamaFileType.MOSTLY_Q4_K_S, GgmlType.Q4_K),
  spec('Q6_K', LlamaFileType.MOSTLY_Q6_K, GgmlType.Q6_K),
  spec('F16', LlamaFileType.MOSTLY_F16, GgmlType.F16),
  spec('BF16', LlamaFileType.MOSTLY_BF16, GgmlType.BF16),
  spec('F32', LlamaFileType.ALL_F32, GgmlType.F32),
];

/** llama-quantize's aliases. */
const ALIASES: Readonly<Record<string, string>> = { Q4_K: 'Q4_K_M' };

export function fileTypeByName(name: string): FileTypeSpec | undefined {
  const upper = name.toUpperCase();
  return FILE_TYPES.find((f) => f.name === (ALIASES[upper] ?? upper));
}

export const FILE_TYPE_NAMES = [...FILE_TYPES.map((f) => f.name), ...Object.keys(ALIASES)];

export interface TensorShape {
  readonly name: string;
  /** ggml order: dims[0] is the row length. */
  readonly dims: readonly number[];
}

/** tensor_allows_quantization, for the tensors Llama-family models have. */
export function allowsQuantization(t: TensorShape): boolean {
  return t.dims.length >= 2 && t.name.endsWith('weight') && !t.name.includes('_norm.weight') && !t.name.includes('ffn_gate_inp.weight');
}

const isQuantized = (t: GgmlType) => ggmlTypeInfo(t)!.blockSize > 1;
const useMoreBits = (i: number, n: number) => i < Math.floor(n / 8) || i >= Math.floor((7 * n) / 8) || (i - Math.floor(n / 8)) % 3 === 2;

const FALLBACK = new Map<GgmlType, GgmlType>([
  [GgmlType.Q4_K, GgmlType.Q5_0], [GgmlType.Q5_K, GgmlType.Q5_1], [GgmlType.Q6_K, GgmlType.Q8_0],
]);

function fallback(type: GgmlType, rowLength: number): GgmlType {
  if (rowLength % ggmlTypeInfo(type)!.blockSize === 0) return type;
  const next = FALLBACK.get(type) ?? GgmlType.F16;
  return rowLength % ggmlTypeInfo(next)!.blockSize === 0 ? next : GgmlType.F16;
}

/** Chooses types for every tensor of one model (in file order: attn_v counts by position). */
export function planTensorTypes(tensors: readonly TensorShape[], ft: FileTypeSpec, numLayers: number, pure = false): Map<string, GgmlType | null> {
  const tied = !tensors.some((t) => t.name === 'output.weight');
  const numAttnV = tensors.filter((t) => t.name.includes('attn_v.weight')).length;
  let iAttnV = 0, iFfnDown = 0;
  const out = new Map<string, GgmlType | null>();
  for (const t of tensors) {
    if (!allowsQuantization(t)) {
      out.set(t.name, null); // kept as stored
      continue;
    }
    let type = ft.defaultType;
    if (isQuantized(type) && !pure) type = mixedType(t, ft, type, tied, { iAttnV, numAttnV, iFfnDown, numLayers });
    if (t.name.includes('attn_v.weight')) iAttnV++;
    if (t.name.includes('ffn_down')) iFfnDown++;
    out.set(t.name, isQuantized(ft.defaultType) ? fallback(type, t.dims[0]) : type);
  }
  return out;
}

interface Counters { iAttnV: number; numAttnV: number; iFfnDown: number; numLayers: number }

function mixedType(t: TensorShape, ft: FileTypeSpec, type: GgmlType, tied: boolean, n: Counters): GgmlType {
  if (t.name === 'output.weight' || (tied && t.name === 'token_embd.weight')) {
    if (t.dims[0] % ggmlTypeInfo(type)!.blockSize !== 0) return GgmlType.Q8_0;
    return type === GgmlType.Q8_0 ? type : GgmlType.Q6_K;
  }
  if (t.name.includes('attn_v.weight')) {
    if (ft.fileType === LlamaFileType.MOSTLY_Q4_K_M && useMoreBits(n.iAttnV, n.numAttnV)) return GgmlType.Q6_K;
    if (ft.fileType === LlamaFileType.MOSTLY_Q4_K_S && n.iAttnV < 4) return GgmlType.Q5_K;
  }
  if (t.name.includes('ffn_down')) {
    const layer = blockOf(t.name) ?? n.iFfnDown;
    if (ft.fileType === LlamaFileType.MOSTLY_Q4_K_M && useMoreBits(layer, n.numLayers)) return GgmlType.Q6_K;
    if (ft.fileType === LlamaFileType.MOSTLY_Q4_K_S && layer < Math.floor(n.numLayers / 8)) return GgmlType.Q5_K;
  }
  return type;
}
