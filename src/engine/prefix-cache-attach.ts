// Wires a persisted prefix cache to an engine: load at start-up (a file for another model
// or KV layout, or a corrupt one, is ignored with a warning), save every
// saveIntervalSec and at close. The file is `<path>.<model id>` (prefix-cache-file.ts).
import type { FileHost } from '../loader/file-host.ts';
import type { Model } from '../model/index.ts';
import type { BlockManager } from './block-manager.ts';
import { loadPrefixCache, prefixCacheFilePath, savePrefixCache } from './prefix-cache-file.ts';

export interface PrefixCacheFileOptions {
  host: FileHost;
  /** --prefix-cache-file: the model id is appended. */
  path: string;
  modelId: string;
  /** Re-save this often (seconds); absent or 0: only at close. */
  saveIntervalSec?: number;
  /** What identifies the weights beyond the id (default: the model's config). */
  fingerprint?: string;
}

export interface PrefixCacheFileHandle {
  /** Start-up load done (or skipped); never rejects. */
  readonly loaded: Promise<void>;
  save(): Promise<void>;
  /** Stops the interval and saves once more. */
  close(): Promise<void>;
}

export function attachPrefixCacheFile(model: Model, blocks: BlockManager, opts: PrefixCacheFileOptions, log: (m: string) => void = () => {}): PrefixCacheFileHandle {
  const c = model.cache.config;
  const meta = {
    modelId: opts.modelId,
    modelFingerprint: opts.fingerprint ?? JSON.stringify(model.config),
    kvBits: c.kvBits,
    blockSize: c.blockSize,
    numLayers: c.numLayers,
    numKvHeads: c.numKvHeads,
    headDim: c.headDim,
  };
  const file = prefixCacheFilePath(opts.path, opts.modelId);
  let saving: Promise<void> = Promise.resolve();
  const save = () => {
    // One save at a time; each snapshots the cache as it is when it starts.
    saving = saving.then(() => savePrefixCache(opts.host, file, model.gpu, model.cache, blocks, meta).then(() => undefined));
    return saving;
  };
  const loaded = loadPrefixCache(opts.host, file, model.gpu, model.cache, blocks, meta).then(
    (r) => {
      if ('ignored' in r) log(`prefix cache ${file}: ignored (${r.ignored})`);
      else if (r.restoredBlocks > 0) log(`prefix cache ${file}: restored ${r.restoredBlocks} blocks`);
    },
    (e: Error) => log(`prefix cache ${file}: not loaded (${e.message})`),
  );
  let timer: ReturnType<typeof setInterval> | undefined;
  if (opts.saveIntervalSec && opts.saveIntervalSec > 0) {
    timer = setInterval(() => save().catch((e: Error) => log(`prefix cache ${file}: save failed (${e.message})`)), opts.saveIntervalSec * 1000);
    (timer as { unref?: () => void }).unref?.();
  }
  return {
    loaded,
    save,
    close: async () => {
      if (timer !== undefined) clearInterval(timer);
      await save();
    },
  };
}
