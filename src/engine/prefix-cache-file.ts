// The persisted prefix cache: the block manager's indexed full blocks (their chain,
// tokens and salt) with their KV bytes, written per model at shutdown (and on an
// interval) and restored at start-up. A file written for another model, another KV
// layout, or one that is truncated or corrupt is ignored with a reason, never partly
// applied: it is decoded and checked whole before anything is restored.
//
// File layout, little-endian, every field word-aligned:
//   "BSRTPFX1"                                8 bytes magic
//   u32 version (1)
//   u32 metaBytes, meta JSON (PrefixCacheMeta) zero-padded to 4
//   u32 numEntries, u32 kvBlockBytes
//   numEntries x entry, parents before children:
//     i32 parent (index of an earlier entry, -1 for a first block)
//     u32 saltBytes, u32 numTokens (= blockSize), salt UTF-8 zero-padded to 4,
//     u32 tokens[numTokens], kv[kvBlockBytes] (kv-blocks.ts layout)
//   u32 checksum low, u32 checksum high: WordChecksum of every byte before them

import type { GpuDevice } from '../gpu/device.ts';
import type { KvCache } from '../gpu/kv-cache.ts';
import { kvBlockBytes, readKvBlocks, writeKvBlocks, type KvBlockShape } from '../gpu/kv-blocks.ts';
import type { FileHost } from '../loader/file-host.ts';
import type { BlockManager } from './block-manager.ts';
import { WordChecksum } from './word-checksum.ts';

export const PREFIX_CACHE_MAGIC = 'BSRTPFX1';
export const PREFIX_CACHE_VERSION = 1;

/** What a file must have been written for to be loaded. */
export interface PrefixCacheMeta extends KvBlockShape {
  modelId: string;
  /** Anything that tells apart different weights under one id (e.g. the config JSON). */
  modelFingerprint: string;
}

export interface PrefixCacheBlock {
  parent: number;
  tokens: readonly number[];
  salt: string;
  /** The block's KV bytes, kvBlockBytes(meta) long. */
  kv: Uint8Array;
}

const META_KEYS = ['modelId', 'modelFingerprint', 'kvBits', 'blockSize', 'numLayers', 'numKvHeads', 'headDim'] as const;

/** `<path>.<model id>`, the id made safe as a file-name suffix ('/' becomes '--'). */
export function prefixCacheFilePath(path: string, modelId: string): string {
  const safe = modelId.replace(/\//g, '--').replace(/[^A-Za-z0-9._-]/g, '_') || '_';
  return `${path}.${safe}`;
}

/** u32 words as bytes, little-endian. */
function words(values: readonly number[]): Uint8Array {
  const out = new Uint8Array(values.length * 4);
  const view = new DataView(out.buffer);
  values.forEach((v, i) => view.setUint32(i * 4, v >>> 0, true));
  return out;
}

function padded(bytes: Uint8Array): Uint8Array {
  if (bytes.byteLength % 4 === 0) return bytes;
  const out = new Uint8Array(Math.ceil(bytes.byteLength / 4) * 4);
  out.set(bytes);
  return out;
}

/** The file as chunks to stream to FileHost.writeFile; KV bytes are passed through uncopied. */
export function encodePrefixCache(meta: PrefixCacheMeta, blocks: readonly PrefixCacheBlock[]): Uint8Array[] {
  const blockBytes = kvBlockBytes(meta);
  const enc = new TextEncoder();
  const metaJson = enc.encode(JSON.stringify(Object.fromEntries(META_KEYS.map((k) => [k, meta[k]]))));
  const chunks = [enc.encode(PREFIX_CACHE_MAGIC), words([PREFIX_CACHE_VERSION, metaJson.byteLength]), padded(metaJson), words([blocks.length, blockBytes])];
  blocks.forEach((b, i) => {
    if (!(b.parent === -1 || (Number.isInteger(b.parent) && b.parent >= 0 && b.parent < i))) throw new RangeError(`prefix cache: entry ${i} has parent ${b.parent}, not an earlier entry`);
    if (b.tokens.length !== meta.blockSize) throw new RangeError(`prefix cache: entry ${i} has ${b.tokens.length} tokens, not blockSize ${meta.blockSize}`);
    if (b.kv.byteLength !== blockBytes) throw new RangeError(`prefix cache: entry ${i} has ${b.kv.byteLength} KV bytes, expected ${blockBytes}`);
    for (const t of b.tokens) if (!(Number.isInteger(t) && t >= 0 && t < 2 ** 32)) throw new RangeError(`prefix cache: entry ${i} has token id ${t}`);
    const salt = enc.encode(b.salt);
    chunks.push(words([b.parent, salt.byteLength, b.tokens.length]), padded(salt), words(b.tokens), b.kv);
  });
  const sum = new WordChecksum();
  for (const c of chunks) sum.update(c);
  chunks.push(words(sum.digest()));
  return chunks;
}

class Corrupt extends Error {}

/** Bounds-checked little-endian reads over the file bytes. */
class Reader {
  private readonly view: DataView;
  at = 0;
  constructor(private readonly bytes: Uint8Array, private readonly end: number) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  take(n: number): Uint8Array {
    if (!(n >= 0) || this.at + n > this.end) throw new Corrupt(`truncated or corrupt (a field at byte ${this.at} runs past the end)`);
    this.at += n;
    return this.bytes.subarray(this.at - n, this.at);
  }
  u32(): number {
    const at = this.at;
    this.take(4);
    return this.view.getUint32(at, true);
  }
  i32(): number {
    return this.u32() | 0;
  }
  padded(n: number): Uint8Array {
    const b = this.take(Math.ceil(n / 4) * 4);
    return b.subarray(0, n);
  }
}

/** The file's blocks, or why it cannot be used. Never throws; KV bytes are views into `bytes`. */
export function decodePrefixCache(bytes: Uint8Array, expect: PrefixCacheMeta): { blocks: PrefixCacheBlock[] } | { ignored: string } {
  try {
    return { blocks: decode(bytes, expect) };
  } catch (e) {
    if (e instanceof Corrupt) return { ignored: e.message };
    return { ignored: `unreadable (${(e as Error).message})` };
  }
}

function decode(bytes: Uint8Array, expect: PrefixCacheMeta): PrefixCacheBlock[] {
  const dec = new TextDecoder('utf-8', { fatal: true });
  if (bytes.byteLength < 16 || dec.decode(bytes.subarray(0, 8)) !== PREFIX_CACHE_MAGIC) throw new Corrupt('not a basert prefix-cache file (bad magic)');
  const r = new Reader(bytes, bytes.byteLength - 8);
  r.take(8);
  const version = r.u32();
  if (version !== PREFIX_CACHE_VERSION) throw new Corrupt(`format version ${version}, this build reads ${PREFIX_CACHE_VERSION}`);
  if (bytes.byteLength % 4 !== 0) throw new Corrupt('truncated or corrupt (length is not whole words)');
  const body = bytes.subarray(0, bytes.byteLength - 8);
  const [lo, hi] = new WordChecksum().update(body).digest();
  const tail = new DataView(bytes.buffer, bytes.byteOffset + body.byteLength, 8);
  if (tail.getUint32(0, true) !== lo || tail.getUint32(4, true) !== hi) throw new Corrupt('truncated or corrupt (checksum mismatch)');

  const meta = JSON.parse(dec.decode(r.padded(r.u32()))) as Record<string, unknown>;
  for (const k of META_KEYS) {
    if (meta[k] === expect[k]) continue;
    if (k === 'modelFingerprint') throw new Corrupt(`written for different weights under model id ${JSON.stringify(expect.modelId)} (fingerprint differs)`);
    throw new Corrupt(`written for ${k} ${JSON.stringify(meta[k])}, this model has ${JSON.stringify(expect[k])}`);
  }
  const numEntries = r.u32();
  const blockBytes = r.u32();
  if (blockBytes !== kvBlockBytes(expect)) throw new Corrupt(`KV block of ${blockBytes} bytes, this layout needs ${kvBlockBytes(expect)}`);
  const blocks: PrefixCacheBlock[] = [];
  for (let i = 0; i < numEntries; i++) {
    const parent = r.i32();
    const saltBytes = r.u32();
    const numTokens = r.u32();
    if (!(parent === -1 || (parent >= 0 && parent < i))) throw new Corrupt(`entry ${i} names parent ${parent}, not an earlier entry`);
    if (numTokens !== expect.blockSize) throw new Corrupt(`entry ${i} has ${numTokens} tokens, not blockSize ${expect.blockSize}`);
    const salt = dec.decode(r.padded(saltBytes));
    const tokenBytes = r.take(numTokens * 4);
    const tv = new DataView(tokenBytes.buffer, tokenBytes.byteOffset, tokenBytes.byteLength);
    const tokens = Array.from({ length: numTokens }, (_, t) => tv.getUint32(t * 4, true));
    blocks.push({ parent, tokens, salt, kv: r.take(blockBytes) });
  }
  if (r.at !== body.byteLength) throw new Corrupt(`${body.byteLength - r.at} unexpected bytes after the last entry`);
  return blocks;
}

function checkShape(cache: KvCache, meta: PrefixCacheMeta): void {
  const c = cache.config;
  for (const k of ['kvBits', 'blockSize', 'numLayers', 'numKvHeads', 'headDim'] as const) {
    if (c[k] !== meta[k]) throw new Error(`prefix cache: meta.${k} is ${meta[k]} but the KV cache has ${c[k]}`);
  }
}

/** Writes `manager`'s indexed blocks and their KV to `file` (a full path, e.g. from
 *  prefixCacheFilePath). The snapshot is taken synchronously at the call (block list and
 *  GPU copies submitted together), so steps submitted meanwhile cannot tear it. */
export async function savePrefixCache(
  host: FileHost,
  file: string,
  gpu: GpuDevice,
  cache: KvCache,
  manager: BlockManager,
  meta: PrefixCacheMeta,
): Promise<{ savedBlocks: number; bytes: number }> {
  checkShape(cache, meta);
  const entries = manager.cachedBlocks();
  const kv = await readKvBlocks(gpu, cache, entries.map((e) => e.blockId));
  const chunks = encodePrefixCache(meta, entries.map((e, i) => ({ parent: e.parent, tokens: e.tokens, salt: e.salt, kv: kv[i] })));
  const bytes = await host.writeFile(file, chunks);
  return { savedBlocks: entries.length, bytes };
}

/** Restores `file` into `manager` (free blocks only) and the KV cache. No file: 0 blocks.
 *  A file that cannot be used: { ignored: why }. Throws only for a broken FileHost. */
export async function loadPrefixCache(
  host: FileHost,
  file: string,
  gpu: GpuDevice,
  cache: KvCache,
  manager: BlockManager,
  meta: PrefixCacheMeta,
): Promise<{ restoredBlocks: number } | { ignored: string }> {
  checkShape(cache, meta);
  const kind = await host.stat(file);
  if (kind === null) return { restoredBlocks: 0 };
  if (kind !== 'file') return { ignored: `${file} is not a file` };
  let bytes: Uint8Array;
  try {
    const f = await host.openFile(file);
    try {
      bytes = await f.read(0, f.size);
    } finally {
      await f.close();
    }
  } catch (e) {
    return { ignored: `cannot read ${file} (${(e as Error).message})` };
  }
  const decoded = decodePrefixCache(bytes, meta);
  if ('ignored' in decoded) return decoded;
  // Restore and upload together, with no await between: no step can be submitted that
  // sees a restored block before its KV is queued.
  const ids = manager.restore(decoded.blocks);
  const kept = ids.flatMap((b, i) => (b >= 0 ? [i] : []));
  writeKvBlocks(gpu, cache, kept.map((i) => ids[i]), kept.map((i) => decoded.blocks[i].kv));
  return { restoredBlocks: kept.length };
}
