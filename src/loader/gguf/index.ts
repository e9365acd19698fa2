// GGUF: read a model file's header and tensors through a ByteSource; write files.
export * from './types.ts';
export { readGguf, findTensor, readTensorData, readTensorF32, type ReadGgufOptions } from './read.ts';
export {
  planGguf, encodeGguf, ggufChunks,
  type GgufTensorSpec, type GgufTensorInput, type GgufWriteOptions, type GgufMetadataInput, type GgufLayout,
} from './write.ts';
export { kv, ggufArray, metaNumber, metaString, metaBool, metaArray } from './values.ts';
export { GgmlType, ggmlTypeInfo, ggmlTypeName, ggmlTypeByName, tensorByteSize, type GgmlTypeInfo } from '../quant/formats.ts';
