// `--outtype` of the converter (llama.cpp's convert_hf_to_gguf.py choices) and which ggml
// type each tensor gets (ModelBase.prepare_tensors): 1-D tensors, norms and anything
// that is not a ".weight" (biases) stay F32; other weights take the output type, and a
// weight whose rows are not a whole number of the type's blocks falls back to F16.
import { GgmlType, ggmlTypeInfo } from '../quant/formats.ts';

/** llama.cpp's llama_ftype values (general.file_type). */
export const LlamaFileType = {
  ALL_F32: 0, MOSTLY_F16: 1, MOSTLY_Q4_0: 2, MOSTLY_Q8_0: 7,
  MOSTLY_Q4_K_S: 14, MOSTLY_Q4_K_M: 15, MOSTLY_Q6_K: 18, MOSTLY_BF16: 32,
} as const;

export const OUT_TYPES = {
  f32: { type: GgmlType.F32, fileType: LlamaFileType.ALL_F32 },
  f16: { type: GgmlType.F16, fileType: LlamaFileType.MOSTLY_F16 },
  bf16: { type: GgmlType.BF16, fileType: LlamaFileType.MOSTLY_BF16 },
  q8_0: { type: GgmlType.Q8_0, fileType: LlamaFileType.MOSTLY_Q8_0 },
} as const;

/** `auto` picks bf16 for a BF16 checkpoint and f16 otherwise, as llama.cpp does. */
export type OutType = keyof typeof OUT_TYPES | 'auto';
export const OUT_TYPE_NAMES: readonly OutType[] = [...(Object.keys(OUT_TYPES) as OutType[]), 'auto'];

export function isOutType(s: string): s is OutType {
  return (OUT_TYPE_NAMES as readonly string[]).includes(s);
}

/** The ggml type for one converted tensor. `dims` in ggml order (dims[0] = row length). */
export function convertedTensorType(ggufName: string, dims: readonly number[], outType: GgmlType): GgmlType {
  if (dims.length <= 1 || ggufName.endsWith('_norm.weight') || !ggufName.endsWith('.weight')) return GgmlType.F32;
  const block = ggmlTypeInfo(outType)!.blockSize;
  return dims[0] % block === 0 ? outType : GgmlType.F16;
}
