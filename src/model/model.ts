// A loaded model: weights and KV cache on one device, the tokenizer, and forward(), the
// batched step the scheduler calls. One forward records a whole step into a GpuStep the
// caller owns, so sampling dispatches can follow it in the same submission; nothing is
// read back unless the caller asks.
import type { GpuDevice } from '../gpu/device.ts';
import { buildBatchInfo, uploadBatch, type SeqBatchEntry } from '../gpu/kv-batch.ts';
import { KvCache, type KvBits } from '../gpu/kv-cache.ts';
import { GpuStep } from '../gpu/step.ts';
import { Tensor } from '../gpu/tensor.ts';
import type { ModelConfig } from '../loader/model-config.ts';
import type { ChatTemplateSource, Tokenizer } from '../text/index.ts';
import { submitStep } from './errors.ts';
import { llamaForward, type LlamaModel } from './llama.ts';
import { StepScratch } from './step-scratch.ts';

export interface ForwardBatch {
  /** (T) token ids: sequence after sequence, in `seqs` order. */
  readonly tokens: ArrayLike<number>;
  /**
   * Per sequence: its block table, tokens already in the cache (numComputed) and tokens in
   * this step (numNew >= 1). A prefill chunk, a whole prompt and a decode token are the
   * same thing with different counts.
   */
  readonly seqs: readonly SeqBatchEntry[];
}

export interface ForwardOptions {
  /** Logits for every token of the step (T rows) instead of each sequence's last (S rows). */
  readonly allLogits?: boolean;
}

export interface ForwardOutput {
  /** f32 (S, V): row s is the next-token logits after sequence s's last new token ((T, V) with allLogits). */
  readonly logits: Tensor;
  /** Hands the step's pooled buffers back; call once the step is submitted. */
  release(): void;
}

export interface KvCacheOptions {
  kvBits: KvBits;
  blockSize: number;
  numBlocks: number;
}

export class Model {
  /** Logits width: rows of the LM head. */
  readonly vocabSize: number;
  /** Most tokens one step may carry: each activation must fit one storage binding. */
  readonly maxStepTokens: number;
  /** Most logit rows one step may produce (sequences, or tokens with allLogits). */
  readonly maxLogitRows: number;

  constructor(
    readonly gpu: GpuDevice,
    readonly llama: LlamaModel,
    readonly tokenizer: Tokenizer,
    readonly chatTemplate: ChatTemplateSource | undefined,
    readonly cache: KvCache,
    /** Tensors this model frees on destroy() (none for a model sharing another's weights). */
    private readonly owned: readonly Tensor[],
  ) {
    const c = llama.config;
    this.vocabSize = llama.weights.output.shape[0];
    const limit = gpu.limits.maxStorageBufferBindingSize;
    this.maxStepTokens = Math.floor(limit / (4 * Math.max(c.hiddenSize, c.intermediateSize, c.numHeads * c.headDim)));
    this.maxLogitRows = Math.floor(limit / (4 * this.vocabSize));
  }

  get config(): ModelConfig {
    return this.llama.config;
  }

  /** Tokens the cache holds: numBlocks * blockSize. */
  get kvCapacity(): number {
    return this.cache.config.numBlocks * this.cache.config.blockSize;
  }

  /** Records one batched forward step into `step`. */
  forward(step: GpuStep, batch: ForwardBatch, opts: ForwardOptions = {}): ForwardOutput {
    const T = this.checkBatch(batch);
    const rows = opts.allLogits ? T : batch.seqs.length;
    if (rows > this.maxLogitRows) throw new RangeError(`forward: ${rows} logit rows of ${this.vocabSize}; at most ${this.maxLogitRows} fit one binding`);
    const { blockSize } = this.cache.config;
    const info = buildBatchInfo(batch.seqs, blockSize);
    const scratch = new StepScratch(this.gpu);
    const gpuBatch = uploadBatch(this.gpu, info);
    try {
      // RoPE reads positions straight from the batch words: they come first (kv-batch.ts).
      const positions = new Tensor([T], 'u32', [{ buffer: gpuBatch.tensor.chunks[0].buffer, rowStart: 0, rows: T }], this.gpu, false);
      const lastRows = Uint32Array.from(batch.seqs, (s, i) => info.seqQueryStart[i] + s.numNew - 1);
      const c = this.config;
      const logits = llamaForward(step, this.llama, this.cache, {
        tokens: scratch.u32(Uint32Array.from(batch.tokens)),
        positions,
        batch: gpuBatch,
        logitRows: opts.allLogits ? null : scratch.u32(lastRows),
        zeros: c.qkvBias || c.oBias || c.mlpBias ? scratch.u32(new Uint32Array(T)) : null,
      }, scratch);
      return {
        logits,
        release: () => {
          scratch.release();
          gpuBatch.destroy();
        },
      };
    } catch (e) {
      scratch.release();
      gpuBatch.destroy();
      throw e;
    }
  }

  /** Runs one step and reads its logits back: f32 [rows * V]. For tests and tools; the engine samples on the GPU. */
  async logits(batch: ForwardBatch, opts: ForwardOptions = {}): Promise<Float32Array> {
    const step = new GpuStep(this.gpu);
    const out = this.forward(step, batch, opts);
    const read = step.read(out.logits.binding(), out.logits.byteLength);
    read.catch(() => {}); // a failed submit reports it
    try {
      await submitStep(this.gpu, step);
      return new Float32Array(await read);
    } finally {
      out.release();
    }
  }

  /** Another model over the same weights with its own KV cache (the weights stay this model's). */
  withKvCache(opts: KvCacheOptions): Model {
    const c = this.config;
    const cache = new KvCache(this.gpu, { numLayers: c.numLayers, numKvHeads: c.numKvHeads, headDim: c.headDim, ...opts });
    return new Model(this.gpu, this.llama, this.tokenizer, this.chatTemplate, cache, []);
  }

  destroy(): void {
    this.cache.destroy();
    for (const t of this.owned) t.destroy();
  }

  /** Validates a batch against the model and cache; returns T. */
  private checkBatch(batch: ForwardBatch): number {
    const { seqs, tokens } = batch;
    if (seqs.length === 0) throw new RangeError('forward: empty batch');
    let T = 0;
    const { blockSize, numBlocks } = this.cache.config;
    seqs.forEach((s, i) => {
      if (!(Number.isInteger(s.numNew) && s.numNew >= 1)) throw new RangeError(`forward: sequence ${i} has numNew ${s.numNew} (need >= 1)`);
      const used = Math.ceil((s.numComputed + s.numNew) / blockSize);
      for (let b = 0; b < Math.min(used, s.blockTable.length); b++) {
        const id = s.blockTable[b];
        if (!(Number.isInteger(id) && id >= 0 && id < numBlocks)) throw new RangeError(`forward: sequence ${i} block ${b} is ${id}; the cache has ${numBlocks} blocks`);
      }
      T += s.numNew;
    });
    if (tokens.length !== T) throw new RangeError(`forward: ${tokens.length} tokens for sequences adding ${T}`);
    if (T > this.maxStepTokens) throw new RangeError(`forward: ${T} tokens in one step; at most ${this.maxStepTokens} fit this device's bindings`);
    for (let i = 0; i < T; i++) {
      const id = tokens[i];
      if (!(Number.isInteger(id) && id >= 0 && id < this.vocabSize)) throw new RangeError(`forward: token ${i} is ${id}, outside the vocabulary of ${this.vocabSize}`);
    }
    return T;
  }
}
