// Which files of a transformers-style repository make a loadable model directory: the
// configs and tokenizer, then the weights — the shards model.safetensors.index.json
// names when there is one (so `consolidated.safetensors` copies are skipped), else
// model.safetensors, else every top-level .safetensors file.
import { HubError } from './errors.ts';

/** Small files fetched when present, before the weights. config.json is required. */
export const SAFETENSORS_META = [
  'config.json',
  'generation_config.json',
  'tokenizer.json',
  'tokenizer_config.json',
  'special_tokens_map.json',
  'chat_template.jinja',
  'chat_template.json',
];
export const SAFETENSORS_INDEX = 'model.safetensors.index.json';

export interface SafetensorsPlan {
  meta: string[];
  /** Set when the weights come from the index: download it, then call shardsFromIndex. */
  index?: string;
  /** The weights, when known without the index. */
  weights?: string[];
}

export function planSafetensors(repo: string, paths: readonly string[]): SafetensorsPlan {
  const have = new Set(paths);
  if (!have.has('config.json')) {
    throw new HubError('no-match', repo, undefined, 'nothing to load: no .gguf files and no config.json with .safetensors weights');
  }
  const meta = SAFETENSORS_META.filter((f) => have.has(f));
  if (have.has(SAFETENSORS_INDEX)) return { meta, index: SAFETENSORS_INDEX };
  if (have.has('model.safetensors')) return { meta, weights: ['model.safetensors'] };
  const weights = paths.filter((p) => !p.includes('/') && p.endsWith('.safetensors')).sort();
  if (weights.length === 0) throw new HubError('no-match', repo, undefined, 'config.json but no .safetensors weights');
  return { meta, weights };
}

/** The shard files the index's weight_map names, sorted; `missing` are those not in `paths`. */
export function shardsFromIndex(repo: string, indexText: string, paths: readonly string[]): { shards: string[]; missing: string[] } {
  let map: unknown;
  try {
    map = (JSON.parse(indexText) as { weight_map?: unknown }).weight_map;
  } catch (e) {
    throw new HubError('http', repo, SAFETENSORS_INDEX, `not valid JSON (${(e as Error).message})`, { cause: e });
  }
  if (typeof map !== 'object' || map === null || Object.values(map).some((v) => typeof v !== 'string')) {
    throw new HubError('http', repo, SAFETENSORS_INDEX, 'no weight_map of tensor name → shard file');
  }
  const shards = [...new Set(Object.values(map) as string[])].sort();
  const have = new Set(paths);
  return { shards, missing: shards.filter((s) => !have.has(s)) };
}
