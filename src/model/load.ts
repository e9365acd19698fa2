// loadModel: an opened GGUF file or HF directory -> a Model on a device. Everything that
// can be checked is checked before the first GPU allocation: the architecture, every
// tensor's type and shape, what the kernels serve (head_dim, workgroup memory), each
// tensor row and KV pool against the binding limit, and weights + KV cache against the
// caller's memory budget. Errors name the limit.
import type { GpuDevice } from '../gpu/device.ts';
import { llamaCppConfig, prefillConfig, type AttentionRounding } from '../gpu/kernels/attention.ts';
import type { ActivationQuant } from '../gpu/kernels/linear-quant.ts';
import { createRopeFreqs } from '../gpu/kernels/rope.ts';
import { KvCache, kvPoolLayout, kvPoolLimit, type KvBits, type KvCacheConfig } from '../gpu/kv-cache.ts';
import type { Tensor } from '../gpu/tensor.ts';
import { modelConfigFromGguf } from '../loader/gguf-config.ts';
import { dequantize } from '../loader/quant/index.ts';
import type { ModelConfig } from '../loader/model-config.ts';
import type { OpenedModel } from '../loader/model-source.ts';
import { chatTemplateFromConfig, chatTemplateFromGguf, loadHfTokenizer, tokenizerFromGguf, type ChatTemplateSource, type Tokenizer } from '../text/index.ts';
import { ModelError } from './errors.ts';
import { llamaWeights, llamaWeightSpecs } from './llama.ts';
import { Model } from './model.ts';
import { ropeTable } from './rope.ts';
import { ggufWeightSource, hfWeightSource, type WeightSource } from './weight-source.ts';
import { planWeights, uploadWeights, type WeightPlan } from './weights.ts';
import { numericsOf, type Numerics } from './numerics.ts';

export interface LoadModelOptions {
  /** KV cache element width (default 16). */
  kvBits?: KvBits;
  /** Tokens per KV block (default 16). */
  blockSize?: number;
  /** Tokens the KV cache holds in all (default: the model's context, at most 4096). */
  maxContext?: number;
  /** KV blocks; overrides maxContext. */
  numBlocks?: number;
  /** Bytes the weights and KV cache may take on the device; checked before allocating. */
  memoryBudget?: number;
  /** How linear layers meet their activations (kernels/linear-quant.ts): 'q8' rounds them
   *  as llama.cpp's CPU backend does (q8 blocks for block-format weights, f16/bf16 values
   *  for f16/bf16 weights), 'f32' keeps them exact. Default: 'q8' for a GGUF file (the
   *  numbers llama.cpp gives for the same file), 'f32' for an HF directory (no llama.cpp
   *  model to agree with; its f32 GGUF conversion gives the same logits). */
  activationQuant?: ActivationQuant;
  /** How attention rounds (kernels/attention.ts): 'f32' (default) or 'llamacpp', which in
   *  steps of fewer than 64 tokens rounds q to f16 and accumulates the output in f16 key by
   *  key, as llama.cpp's CPU flash attention does for small batches over an f16 cache
   *  (serial over keys: slower; for comparing with llama.cpp, see docs/model.md). */
  attentionRounding?: AttentionRounding;
  /** A preset of the two above (`--numerics`); an explicit field wins over it.
   *  'default': 'q8' activations for GGUF ('f32' for HF directories), f32 attention.
   *  'llamacpp': 'q8' activations and 'llamacpp' attention: what llama.cpp's CPU backend
   *  computes for the same GGUF file, rounding for rounding (docs/model.md, Parity).
   *  'exact': f32 activations and attention (the exactly dequantized weights' product). */
  numerics?: Numerics;
}


/** What loading will allocate, computed without touching the GPU. */
export interface ModelPlan {
  readonly name: string;
  readonly config: ModelConfig;
  readonly weights: WeightPlan;
  readonly kv: KvCacheConfig;
  readonly kvBytes: number;
  readonly totalBytes: number;
}

const DEFAULT_MAX_CONTEXT = 4096;

function sourceOf(opened: OpenedModel): { config: ModelConfig; source: WeightSource } {
  if (opened.kind === 'hf-dir') return { config: opened.model.config, source: hfWeightSource(opened.model) };
  const { gguf } = opened;
  const config = modelConfigFromGguf(gguf.source.name, gguf.metadata, { tensorNames: gguf.tensors.map((t) => t.name) });
  return { config, source: ggufWeightSource(gguf, config) };
}

/** Checks the model against the device and sizes everything; allocates nothing. */
export function planModel(gpu: GpuDevice, opened: OpenedModel, opts: LoadModelOptions = {}): ModelPlan {
  const { config: c, source } = sourceOf(opened);
  const name = source.name;
  const limit = Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize);
  const kernelCheck = (what: string, f: () => unknown) => {
    try {
      f();
    } catch (e) {
      throw new ModelError('unsupported', name, `${what}: ${(e as Error).message}`);
    }
  };
  const blockSize = opts.blockSize ?? 16;
  const maxContext = opts.maxContext ?? Math.min(c.maxPositionEmbeddings, c.slidingWindow ?? Infinity, DEFAULT_MAX_CONTEXT);
  if (c.slidingWindow !== null && maxContext > c.slidingWindow) {
    throw new ModelError('unsupported', name, `context ${maxContext} exceeds the sliding window of ${c.slidingWindow} tokens, and basert attends without a window`);
  }
  const kv: KvCacheConfig = {
    numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim,
    blockSize, numBlocks: opts.numBlocks ?? Math.ceil(maxContext / blockSize), kvBits: opts.kvBits ?? 16,
  };
  const layout = (() => {
    try {
      return kvPoolLayout(kv);
    } catch (e) {
      throw new ModelError('unsupported', name, (e as Error).message);
    }
  })();
  kernelCheck(`attention with head_dim ${c.headDim}`, () => prefillConfig(c.headDim, 16, gpu.limits.maxComputeWorkgroupStorageSize));
  if (numericsOf(opts, opened.kind).attentionRounding === 'llamacpp') kernelCheck(`attention with head_dim ${c.headDim}`, () => llamaCppConfig(c.headDim));
  const poolBytes = layout.totalWords * 4;
  if (poolBytes > kvPoolLimit(gpu)) {
    throw new ModelError('too-large', name, `a KV cache of ${kv.numBlocks * blockSize} tokens needs ${poolBytes} bytes per layer pool, over this device's maxStorageBufferBindingSize of ${kvPoolLimit(gpu)} bytes; use a shorter context`);
  }
  if (4 * c.vocabSize > limit) {
    throw new ModelError('too-large', name, `a row of ${c.vocabSize} logits exceeds this device's maxStorageBufferBindingSize of ${limit} bytes`);
  }
  const weights = planWeights(source, llamaWeightSpecs(c), limit);
  const kvBytes = 2 * c.numLayers * poolBytes;
  const totalBytes = weights.bytes + kvBytes;
  if (opts.memoryBudget !== undefined && totalBytes > opts.memoryBudget) {
    throw new ModelError('too-large', name, `needs ${mib(totalBytes)} (weights ${mib(weights.bytes)}, KV cache ${mib(kvBytes)}), over the memory budget of ${mib(opts.memoryBudget)}`);
  }
  return { name, config: c, weights, kv, kvBytes, totalBytes };
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB (${n} bytes)`;

async function loadTokenizer(opened: OpenedModel): Promise<[Tokenizer, ChatTemplateSource | undefined]> {
  if (opened.kind === 'gguf') return [tokenizerFromGguf(opened.gguf.metadata), chatTemplateFromGguf(opened.gguf.metadata)];
  const { dir } = opened.model;
  const [tokenizerJson, tokenizerConfig, generationConfig] = await Promise.all(
    ['tokenizer.json', 'tokenizer_config.json', 'generation_config.json'].map((f) => dir.readText(f)),
  );
  const tokenizer = loadHfTokenizer({ tokenizerJson: tokenizerJson ?? undefined, tokenizerConfig: tokenizerConfig ?? undefined, generationConfig: generationConfig ?? undefined });
  const template = tokenizerConfig ? chatTemplateFromConfig(JSON.parse(tokenizerConfig)) : undefined;
  return [tokenizer, template];
}

/** Loads `opened` onto `gpu`. The caller closes `opened` afterwards (weights are copied). */
export async function loadModel(gpu: GpuDevice, opened: OpenedModel, opts: LoadModelOptions = {}): Promise<Model> {
  const plan = planModel(gpu, opened, opts);
  const [tokenizer, template] = await loadTokenizer(opened);
  const c = plan.config;
  const factorsInfo = plan.weights.source.tensors.get('rope_freqs.weight');
  const factors = factorsInfo ? dequantize(factorsInfo.type, await factorsInfo.read(0, factorsInfo.byteSize)) : undefined;
  const table = ropeTable(c, factors);

  const tensors = await uploadWeights(gpu, plan.weights);
  const owned: Tensor[] = [...new Set(tensors.values())];
  gpu.device.pushErrorScope('out-of-memory');
  let freqs: Tensor | undefined;
  let cache: KvCache | undefined;
  try {
    owned.push((freqs = createRopeFreqs(gpu, table.invFreq)));
    cache = new KvCache(gpu, plan.kv);
  } finally {
    // On failure (an exception, or out-of-memory reported here) free everything allocated.
    const oom = await gpu.device.popErrorScope();
    if (oom || !cache) {
      cache?.destroy();
      for (const t of owned) t.destroy();
      if (oom) throw new ModelError('out-of-memory', plan.name, `the device ran out of memory allocating the KV cache (${plan.kvBytes} bytes): ${oom.message}`);
    }
  }
  const llama = {
    config: c,
    weights: llamaWeights(c, tensors),
    rope: { freqs: freqs!, neox: plan.weights.source.ropeNeox, attnFactor: table.attnFactor },
    ...numericsOf(opts, opened.kind),
  };
  return new Model(gpu, llama, tokenizer, template, cache!, owned);
}
