// The tiny random-weight test models (src/loader/testing/tiny-models.ts), generated on
// first use into .cache/test-models/ (git-ignored) and reused: testModel('tiny-qwen3')
// is the HF directory, testModel('tiny-qwen3', 'Q4_K_M') a GGUF file.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureTinyGguf, ensureTinyModelDir } from '../../runtimes/node/tiny-models.ts';
import type { TinyModelName } from '../../src/loader/testing/tiny-models.ts';

export const TEST_MODELS_ROOT = fileURLToPath(new URL('../../.cache/test-models', import.meta.url));

export const TINY_MODEL_NAMES: readonly TinyModelName[] = ['tiny-llama', 'tiny-qwen2', 'tiny-qwen3'];

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
// Everything that decides a GGUF file's bytes: a change here makes new files.
const GGUF_SOURCES = ['src/loader/convert', 'src/loader/quant', 'src/loader/gguf', 'src/loader/safetensors', 'src/loader/testing',
  'src/loader/quantize.ts', 'src/loader/quantize-rules.ts', 'src/text/gguf-export.ts', 'src/text/bpe-pre-detect.ts'];

function files(path: string): string[] {
  return statSync(path).isDirectory() ? readdirSync(path).sort().flatMap((f) => files(join(path, f))) : [path];
}

let key: string | undefined;
/** Hash of the converter's and quantizer's sources. */
export function ggufSourcesKey(): string {
  if (key) return key;
  const h = createHash('sha256');
  for (const f of GGUF_SOURCES.flatMap((p) => files(join(ROOT, p)))) h.update(f.slice(ROOT.length)).update(readFileSync(f));
  return (key = h.digest('hex').slice(0, 12));
}

/** Path of the model's HF directory, or of a GGUF of it when `type` is given (f32, f16, bf16, q8_0, Q4_0, Q4_K_M, Q6_K...). */
export function testModel(name: TinyModelName, type?: string): Promise<string> {
  const cache = { root: TEST_MODELS_ROOT, ggufKey: ggufSourcesKey() };
  return type === undefined ? ensureTinyModelDir(name, cache) : ensureTinyGguf(name, type, cache);
}
