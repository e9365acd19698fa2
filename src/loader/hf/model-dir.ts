// A Hugging Face model directory: config.json (required), generation_config.json
// (optional), and weights in model.safetensors or in shards listed by
// model.safetensors.index.json. Opening it reads the JSON files and the safetensors
// headers; tensor bytes are read later, one tensor at a time, through `tensors.read`.
import { LoaderError } from '../loader-error.ts';
import type { GenerationDefaults, ModelConfig } from '../model-config.ts';
import {
  openShardedSafetensors, parseShardIndex, readSafetensors, SHARD_INDEX_FILE, tensorSetOfFile,
  type ReadSafetensorsOptions, type TensorSet,
} from '../safetensors/index.ts';
import { hfConfigToModelConfig } from './config.ts';
import { dirFilePath, type DirReader } from './dir-reader.ts';
import { GENERATION_CONFIG_FILE, parseGenerationConfig } from './generation-config.ts';
import { parseJsonObject, type JsonObject } from './json-fields.ts';

export const CONFIG_FILE = 'config.json';
export const SINGLE_WEIGHTS_FILE = 'model.safetensors';

export interface HfModelDir {
  readonly dir: DirReader;
  readonly config: ModelConfig;
  /** config.json as parsed, for fields ModelConfig does not carry. */
  readonly rawConfig: JsonObject;
  /** {} when the directory has no generation_config.json. */
  readonly generation: GenerationDefaults;
  readonly tensors: TensorSet;
}

/** config.json → [ModelConfig, the raw object]. */
export async function readHfConfig(dir: DirReader): Promise<[ModelConfig, JsonObject]> {
  const file = dirFilePath(dir, CONFIG_FILE);
  const text = await dir.readText(CONFIG_FILE);
  if (text === null) throw new LoaderError('missing-file', file, 'missing: a Hugging Face model directory needs config.json');
  const raw = parseJsonObject(file, text);
  return [hfConfigToModelConfig(file, raw), raw];
}

export async function readGenerationDefaults(dir: DirReader): Promise<GenerationDefaults> {
  const text = await dir.readText(GENERATION_CONFIG_FILE);
  return text === null ? {} : parseGenerationConfig(dirFilePath(dir, GENERATION_CONFIG_FILE), text);
}

/** The checkpoint's tensors: sharded when the index file is there, else model.safetensors. */
export async function openHfTensors(dir: DirReader, opts: ReadSafetensorsOptions = {}): Promise<TensorSet> {
  const indexText = await dir.readText(SHARD_INDEX_FILE);
  if (indexText !== null) {
    const indexName = dirFilePath(dir, SHARD_INDEX_FILE);
    return openShardedSafetensors(indexName, parseShardIndex(indexName, indexText), (shard) => dir.open(shard), opts);
  }
  const src = await dir.open(SINGLE_WEIGHTS_FILE);
  if (src) return tensorSetOfFile(await readSafetensors(src, opts));
  const files = await dir.list().catch(() => [] as string[]);
  const bin = files.some((f) => /\.(bin|pt|pth)$/.test(f)) ? '; PyTorch .bin checkpoints are not supported, convert them to safetensors' : '';
  const shown = files.length ? ` (it has: ${files.slice(0, 12).join(', ')}${files.length > 12 ? ', ...' : ''})` : '';
  throw new LoaderError('missing-file', dir.name, `no ${SINGLE_WEIGHTS_FILE} or ${SHARD_INDEX_FILE} in the model directory${shown}${bin}`);
}

export async function openHfModelDir(dir: DirReader, opts: ReadSafetensorsOptions = {}): Promise<HfModelDir> {
  const [config, rawConfig] = await readHfConfig(dir);
  const generation = await readGenerationDefaults(dir);
  const tensors = await openHfTensors(dir, opts);
  return { dir, config, rawConfig, generation, tensors };
}
