// One lookup over a checkpoint's tensors, whether they sit in one model.safetensors or in
// shards listed by model.safetensors.index.json. Only headers are read on opening.
import type { ByteSource } from '../byte-source.ts';
import { LoaderError } from '../loader-error.ts';
import type { SafetensorsTensorInfo } from './header.ts';
import { readSafetensors, readSafetensorsData, type ReadSafetensorsOptions, type SafetensorsFile } from './read.ts';
import type { ShardIndex } from './shard-index.ts';

export interface TensorEntry extends SafetensorsTensorInfo {
  /** The file (shard) holding this tensor. */
  readonly file: SafetensorsFile;
}

export interface TensorSet {
  readonly files: readonly SafetensorsFile[];
  readonly tensors: ReadonlyMap<string, TensorEntry>;
  /** Bytes of one tensor as stored (or `length` bytes from `start` within it). */
  read(tensor: string | TensorEntry, start?: number, length?: number): Promise<Uint8Array>;
}

function makeSet(files: SafetensorsFile[], tensors: Map<string, TensorEntry>, name: string): TensorSet {
  return {
    files,
    tensors,
    read(tensor, start, length) {
      const t = typeof tensor === 'string' ? tensors.get(tensor) : tensor;
      if (!t) return Promise.reject(new LoaderError('missing-tensor', name, `no tensor named '${tensor as string}'`));
      return readSafetensorsData(t.file, t, start, length);
    },
  };
}

export function tensorSetOfFile(file: SafetensorsFile): TensorSet {
  const tensors = new Map(file.tensors.map((t) => [t.name, { ...t, file }]));
  return makeSet([file], tensors, file.source.name);
}

/** Opens a shard by its name in the index; null when there is no such file. */
export type OpenShard = (file: string) => Promise<ByteSource | null>;

/**
 * Opens every shard `index` names and checks that each tensor of its weight_map is in
 * the shard it points to. `indexName` is what errors about the index name. Tensors a
 * shard holds that the weight_map does not list are left out, as transformers does.
 */
export async function openShardedSafetensors(
  indexName: string, index: ShardIndex, open: OpenShard, opts: ReadSafetensorsOptions = {},
): Promise<TensorSet> {
  const byShard = new Map<string, string[]>();
  for (const [tensor, shard] of index.weightMap) byShard.set(shard, [...(byShard.get(shard) ?? []), tensor]);
  const files = await Promise.all(index.shardFiles.map(async (shard) => {
    const src = await open(shard);
    if (!src) {
      const names = byShard.get(shard)!;
      throw new LoaderError('missing-shard', indexName, `shard '${shard}' (holding ${names.length} tensors, e.g. '${names[0]}') is not in the model directory`);
    }
    return readSafetensors(src, opts);
  }));
  const fileOf = new Map(index.shardFiles.map((s, i) => [s, files[i]]));
  const tensors = new Map<string, TensorEntry>();
  for (const [tensor, shard] of index.weightMap) {
    const file = fileOf.get(shard)!;
    const info = file.byName.get(tensor);
    if (!info) throw new LoaderError('missing-tensor', file.source.name, `tensor '${tensor}' is not in this shard, but ${indexName} says it is`);
    tensors.set(tensor, { ...info, file });
  }
  return makeSet(files, tensors, indexName);
}
