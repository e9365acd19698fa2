// safetensors: read headers and tensors through a ByteSource (single file or shards
// listed by model.safetensors.index.json); write files and sharded checkpoints.
export {
  SAFETENSORS_DTYPE_SIZES, isSafetensorsDtype, dtypeSize, dtypeRank, tensorToF32, f32ToTensorBytes, type SafetensorsDtype,
} from './dtype.ts';
export { parseSafetensorsHeader, type SafetensorsHeader, type SafetensorsTensorInfo } from './header.ts';
export { readSafetensors, readSafetensorsData, SAFETENSORS_MAX_HEADER, type ReadSafetensorsOptions, type SafetensorsFile } from './read.ts';
export {
  planSafetensors, safetensorsChunks, encodeSafetensors,
  type SafetensorsTensorSpec, type SafetensorsTensorInput, type SafetensorsWriteOptions, type SafetensorsLayout,
} from './write.ts';
export { SHARD_INDEX_FILE, parseShardIndex, type ShardIndex } from './shard-index.ts';
export { tensorSetOfFile, openShardedSafetensors, type TensorSet, type TensorEntry, type OpenShard } from './tensor-set.ts';
export { shardSafetensors, shardFileName, type ShardWriteOptions, type ShardIndexJson, type ShardedCheckpoint } from './write-shards.ts';
