// The llama.cpp reference (node-llama-cpp's prebuilt CPU build), installed by
// scripts/setup-llama-ref.mjs into .cache/llama-ref. Tests that compare with llama.cpp
// call this and fail loudly when it is missing.
import { existsSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
// @ts-expect-error plain-JS script without types
import { llamaRefEntry } from '../../scripts/setup-llama-ref.mjs';

// Only the part of node-llama-cpp's API the tests use, typed loosely on purpose: the
// package lives outside node_modules, so its own types are not visible to tsc.
export interface LlamaRefModel {
  tokenize(text: string, specialTokens?: boolean): number[];
  detokenize(tokens: readonly number[], specialTokens?: boolean): string;
  readonly tokens: { bos: number | null; eos: number | null };
  createContext(opts?: { contextSize?: number; batchSize?: number; threads?: number }): Promise<LlamaRefContext>;
  dispose(): Promise<void>;
}
export interface LlamaRefContext {
  getSequence(): {
    controlledEvaluate(
      input: (number | [number, { generateNext?: { probabilities?: boolean; logits?: boolean } }])[],
    ): Promise<({ next?: { probabilities?: Map<number, number>; logits?: Map<number, number> } } | undefined)[]>;
  };
  dispose(): Promise<void>;
}
export interface LlamaRef {
  loadModel(opts: { modelPath: string; gpuLayers?: number }): Promise<LlamaRefModel>;
  /** Physical cores for math. Pass it as a context's `threads`: node-llama-cpp's default
   *  (maxThreads, 4 here) oversubscribes a 2-core machine and spin-waits, measured at
   *  706 ms per decoded token instead of 26 ms for a 100M F16 model. */
  readonly cpuMathCores: number;
}

let cached: Promise<LlamaRef> | undefined;

export function llamaRef(): Promise<LlamaRef> {
  cached ??= (async () => {
    const entry: string = llamaRefEntry();
    if (!existsSync(entry)) {
      throw new Error(`the llama.cpp reference is not installed (${entry}); run \`node scripts/setup-llama-ref.mjs\``);
    }
    const mod = await import(pathToFileURL(entry).href);
    return mod.getLlama({ gpu: false, build: 'never', progressLogs: false, logLevel: 'error' }) as Promise<LlamaRef>;
  })();
  return cached;
}
