// model.safetensors.index.json: how a checkpoint split across shard files says which
// shard holds each tensor: {"metadata": {"total_size": bytes}, "weight_map": {tensor: file}}.
import { LoaderError } from '../loader-error.ts';

export const SHARD_INDEX_FILE = 'model.safetensors.index.json';

export interface ShardIndex {
  readonly metadata: Readonly<Record<string, unknown>>;
  /** Tensor name → shard file name (relative to the model directory). */
  readonly weightMap: ReadonlyMap<string, string>;
  /** Distinct shard files, sorted. */
  readonly shardFiles: readonly string[];
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A shard name may not climb out of the model directory. */
function safeShardName(name: string): boolean {
  return name !== '' && !name.startsWith('/') && !/[\\:\0]/.test(name) && !name.split('/').some((p) => p === '..' || p === '.' || p === '');
}

/** Parses the index file's text; `file` is what errors name. */
export function parseShardIndex(file: string, text: string): ShardIndex {
  const bad = (problem: string): never => {
    throw new LoaderError('bad-config', file, problem);
  };
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    return bad(`not valid JSON (${(e as Error).message})`);
  }
  if (!isObject(raw)) return bad('not a JSON object');
  const metadata = raw.metadata ?? {};
  if (!isObject(metadata)) return bad('"metadata" must be an object');
  if (!isObject(raw.weight_map)) return bad('"weight_map" (tensor name → shard file) is missing or not an object');
  const weightMap = new Map<string, string>();
  for (const [tensor, shard] of Object.entries(raw.weight_map)) {
    if (typeof shard !== 'string') return bad(`weight_map["${tensor}"] must be a file name, got ${JSON.stringify(shard)}`);
    if (!safeShardName(shard)) return bad(`weight_map["${tensor}"] = "${shard}" is not a file inside the model directory`);
    weightMap.set(tensor, shard);
  }
  if (weightMap.size === 0) return bad('"weight_map" is empty');
  return { metadata, weightMap, shardFiles: [...new Set(weightMap.values())].sort() };
}
