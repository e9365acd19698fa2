// HF model directory -> GGUF (`basert convert`), as llama.cpp's convert_hf_to_gguf.py does it.
export { planHfToGguf, type ConvertOptions, type ConvertPlan, type GgufPlan } from './convert.ts';
export { GGUF_ARCH, QUANTIZATION_VERSION, hparamsMetadata } from './hparams.ts';
export { convertedTensorType, isOutType, LlamaFileType, OUT_TYPE_NAMES, OUT_TYPES, type OutType } from './outtype.ts';
export { permuteRopeRows } from './permute.ts';
export { llama3RopeFactors } from './rope-freqs.ts';
export { blockOf, ggufTensorName } from './tensor-names.ts';
export { tokenizerMetadata } from './tokenizer-metadata.ts';
