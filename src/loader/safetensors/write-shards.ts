// Splits a checkpoint across shard files the way transformers' save_pretrained does:
// tensors taken in order, a new shard started when the next tensor would push the
// current one past maxShardBytes (a tensor bigger than that gets a shard of its own),
// files named model-00001-of-0000N.safetensors, plus model.safetensors.index.json (SHARD_INDEX_FILE).
// A checkpoint that fits one shard is written as plain model.safetensors, with no index.
import { encodeSafetensors, type SafetensorsTensorInput, type SafetensorsWriteOptions } from './write.ts';

export interface ShardWriteOptions extends SafetensorsWriteOptions {
  /** Largest shard's tensor data in bytes (transformers' default is 5 GB). */
  maxShardBytes: number;
  /** `__metadata__` of every shard; transformers writes {"format": "pt"}. */
  metadata?: Readonly<Record<string, string>>;
}

export interface ShardIndexJson {
  metadata: { total_size: number };
  weight_map: Record<string, string>;
}

export interface ShardedCheckpoint {
  /** File name (in the model directory) → its bytes. */
  readonly files: readonly { readonly name: string; readonly bytes: Uint8Array<ArrayBuffer> }[];
  /** The index (null when everything fits in one model.safetensors). */
  readonly index: ShardIndexJson | null;
  /** model.safetensors.index.json's text, as transformers formats it; null when there is no index. */
  readonly indexText: string | null;
}

export function shardFileName(i: number, n: number): string {
  return `model-${String(i + 1).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.safetensors`;
}

export function shardSafetensors(tensors: readonly SafetensorsTensorInput[], opts: ShardWriteOptions): ShardedCheckpoint {
  const groups: SafetensorsTensorInput[][] = [];
  let size = 0;
  for (const t of tensors) {
    const last = groups.at(-1);
    if (last && size + t.data.byteLength <= opts.maxShardBytes) {
      last.push(t);
      size += t.data.byteLength;
    } else {
      groups.push([t]);
      size = t.data.byteLength;
    }
  }
  const meta = opts.metadata ?? {};
  if (groups.length <= 1) {
    return { files: [{ name: 'model.safetensors', bytes: encodeSafetensors(tensors, meta, opts) }], index: null, indexText: null };
  }
  const weightMap: Record<string, string> = {};
  const files = groups.map((g, i) => {
    const name = shardFileName(i, groups.length);
    for (const t of g) weightMap[t.name] = name;
    return { name, bytes: encodeSafetensors(g, meta, opts) };
  });
  const index = { metadata: { total_size: tensors.reduce((a, t) => a + t.data.byteLength, 0) }, weight_map: weightMap };
  return { files, index, indexText: indexText(index) };
}

/** Python's json.dumps(index, indent=2, sort_keys=True) + "\n", as transformers writes it. */
function indexText(index: ShardIndexJson): string {
  const ascii = (s: string) => JSON.stringify(s).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const map = Object.keys(index.weight_map).sort().map((k) => `    ${ascii(k)}: ${ascii(index.weight_map[k])}`);
  return `{\n  "metadata": {\n    "total_size": ${index.metadata.total_size}\n  },\n  "weight_map": {\n${map.join(',\n')}\n  }\n}\n`;
}
