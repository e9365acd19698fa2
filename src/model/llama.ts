// The Llama-family decoder: Llama 2/3 (llama3 RoPE scaling), Mistral, SmolLM, and the
// Qwen variants of the same block: Qwen2/2.5 add biases to q/k/v, Qwen3 RMS-normalizes
// each q and k head before RoPE. Every model here is
//
//   x = embed(tokens)
//   for each layer:
//     h = rmsnorm(x) ; q, k, v = h Wqᵀ (+bq), h Wkᵀ (+bk), h Wvᵀ (+bv)
//     q, k = rmsnorm per head (Qwen3) ; q, k = rope(q, k, positions)
//     cache[slots] = k, v ; x += attention(q, cache) Woᵀ
//     h = rmsnorm(x) ; x += (silu(h Wgateᵀ) * h Wupᵀ) Wdownᵀ
//   logits = rmsnorm(x[rows]) Woutᵀ
//
// over a batch that mixes sequences (kv-batch.ts): each token carries its own position
// and attends through its own sequence's block table. Sizes: D hidden, F FFN, N query
// heads, KV key/value heads, H head dim, V vocabulary, T tokens in the step.
import { add } from '../gpu/kernels/add.ts';
import { attention, type AttentionRounding } from '../gpu/kernels/attention.ts';
import { embedding } from '../gpu/kernels/embedding.ts';
import { kvWrite } from '../gpu/kernels/kv-write.ts';
import { linearAny, linearShared, type ActivationQuant, type LinearActs } from '../gpu/kernels/linear-quant.ts';
import { actScratchWords } from '../gpu/kernels/quantize-q8.ts';
import { rmsNorm } from '../gpu/kernels/rms-norm.ts';
import { rope } from '../gpu/kernels/rope.ts';
import { siluMul } from '../gpu/kernels/silu-mul.ts';
import type { GpuBatch } from '../gpu/kv-batch.ts';
import type { KvCache } from '../gpu/kv-cache.ts';
import type { GpuStep } from '../gpu/step.ts';
import type { Tensor } from '../gpu/tensor.ts';
import type { ModelConfig } from '../loader/model-config.ts';
import type { StepScratch } from './step-scratch.ts';
import type { WeightSpec } from './weights.ts';

export interface LlamaLayerWeights {
  attnNorm: Tensor; //      (D)
  wq: Tensor; //            (N*H, D)
  wk: Tensor; //            (KV*H, D)
  wv: Tensor; //            (KV*H, D)
  bq?: Tensor; //           (N*H)   Qwen2; Llama with attention_bias
  bk?: Tensor; //           (KV*H)
  bv?: Tensor; //           (KV*H)
  qNorm?: Tensor; //        (H)     Qwen3
  kNorm?: Tensor; //        (H)
  wo: Tensor; //            (D, N*H)
  bo?: Tensor; //           (D)     Llama with attention_bias
  ffnNorm: Tensor; //       (D)
  wGate: Tensor; //         (F, D)
  wUp: Tensor; //           (F, D)
  wDown: Tensor; //         (D, F)
  bGate?: Tensor; //        (F)     Llama with mlp_bias
  bUp?: Tensor; //          (F)
  bDown?: Tensor; //        (D)
}

export interface LlamaWeights {
  tokenEmbd: Tensor; //     (V, D)  as stored (any weight format): rows gathered by token id
  layers: LlamaLayerWeights[];
  outputNorm: Tensor; //    (D)
  output: Tensor; //        (V, D)  the LM head; token_embd's data when tied
}

export interface LlamaRope {
  /** From createRopeFreqs: [ropeDim/2] inverse frequencies, scaling applied. */
  freqs: Tensor;
  /** NeoX pairs (i, i + d/2) or GGML-interleaved (2i, 2i+1): how this file's q/k rows are ordered. */
  neox: boolean;
  attnFactor: number;
}

export interface LlamaModel {
  config: ModelConfig;
  weights: LlamaWeights;
  rope: LlamaRope;
  /** Activation rounding before each linear layer (kernels/linear-quant.ts); unset: 'q8'. */
  activationQuant?: ActivationQuant;
  /** How attention rounds (kernels/attention.ts); unset: 'f32'. */
  attentionRounding?: AttentionRounding;
}

/** What one step feeds the forward, all on the GPU. */
export interface LlamaStepInputs {
  tokens: Tensor; //        u32 (T)
  positions: Tensor; //     u32 (T)
  batch: GpuBatch;
  /** u32 (R): rows of x whose logits are wanted (each sequence's last token); null: all T. */
  logitRows: Tensor | null;
  /** u32 (T) of zeros: the index that broadcasts a bias row over T tokens. */
  zeros: Tensor | null;
}

/** The weights the forward reads, their shapes and roles (weights.ts plans the upload from this). */
export function llamaWeightSpecs(c: ModelConfig): WeightSpec[] {
  const { hiddenSize: D, intermediateSize: F, numHeads: N, numKvHeads: KV, headDim: H, vocabSize: V } = c;
  const lin = (name: string, shape: number[]): WeightSpec => ({ name, shape, role: 'linear' });
  const vec = (name: string, n: number): WeightSpec => ({ name, shape: [n], role: 'vector' });
  const specs: WeightSpec[] = [{ name: 'token_embd.weight', shape: [V, D], role: 'gather' }];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `blk.${i}.`;
    specs.push(vec(`${p}attn_norm.weight`, D));
    specs.push(lin(`${p}attn_q.weight`, [N * H, D]), lin(`${p}attn_k.weight`, [KV * H, D]), lin(`${p}attn_v.weight`, [KV * H, D]));
    if (c.qkvBias) specs.push(vec(`${p}attn_q.bias`, N * H), vec(`${p}attn_k.bias`, KV * H), vec(`${p}attn_v.bias`, KV * H));
    if (c.qkNorm) specs.push(vec(`${p}attn_q_norm.weight`, H), vec(`${p}attn_k_norm.weight`, H));
    specs.push(lin(`${p}attn_output.weight`, [D, N * H]));
    if (c.oBias) specs.push(vec(`${p}attn_output.bias`, D));
    specs.push(vec(`${p}ffn_norm.weight`, D));
    specs.push(lin(`${p}ffn_gate.weight`, [F, D]), lin(`${p}ffn_up.weight`, [F, D]), lin(`${p}ffn_down.weight`, [D, F]));
    if (c.mlpBias) specs.push(vec(`${p}ffn_gate.bias`, F), vec(`${p}ffn_up.bias`, F), vec(`${p}ffn_down.bias`, D));
  }
  specs.push(vec('output_norm.weight', D));
  specs.push({ name: 'output.weight', shape: [V, D], role: 'linear', from: c.tieWordEmbeddings ? 'token_embd.weight' : undefined });
  return specs;
}

/** The uploaded tensors (keyed by llamaWeightSpecs' names) as the forward's structure. */
export function llamaWeights(c: ModelConfig, t: ReadonlyMap<string, Tensor>): LlamaWeights {
  const get = (name: string) => {
    const w = t.get(name);
    if (!w) throw new Error(`llama: weight '${name}' was not uploaded`);
    return w;
  };
  const layers = Array.from({ length: c.numLayers }, (_, i): LlamaLayerWeights => {
    const p = (n: string) => get(`blk.${i}.${n}`);
    const opt = (on: boolean, n: string) => (on ? p(n) : undefined);
    return {
      attnNorm: p('attn_norm.weight'),
      wq: p('attn_q.weight'), wk: p('attn_k.weight'), wv: p('attn_v.weight'),
      bq: opt(c.qkvBias, 'attn_q.bias'), bk: opt(c.qkvBias, 'attn_k.bias'), bv: opt(c.qkvBias, 'attn_v.bias'),
      qNorm: opt(c.qkNorm, 'attn_q_norm.weight'), kNorm: opt(c.qkNorm, 'attn_k_norm.weight'),
      wo: p('attn_output.weight'), bo: opt(c.oBias, 'attn_output.bias'),
      ffnNorm: p('ffn_norm.weight'),
      wGate: p('ffn_gate.weight'), wUp: p('ffn_up.weight'), wDown: p('ffn_down.weight'),
      bGate: opt(c.mlpBias, 'ffn_gate.bias'), bUp: opt(c.mlpBias, 'ffn_up.bias'), bDown: opt(c.mlpBias, 'ffn_down.bias'),
    };
  });
  return { tokenEmbd: get('token_embd.weight'), layers, outputNorm: get('output_norm.weight'), output: get('output.weight') };
}

/**
 * Records one forward step into `step`; returns the logits, f32 (R, V) for the R rows in
 * `inp.logitRows` (T rows when null). Activations come from `scratch` (pooled, returned
 * by the caller after submit). Writes this step's K/V into `cache`.
 */
export function llamaForward(step: GpuStep, m: LlamaModel, cache: KvCache, inp: LlamaStepInputs, scratch: StepScratch): Tensor {
  const c = m.config;
  const w = m.weights;
  const { hiddenSize: D, intermediateSize: F, numHeads: N, numKvHeads: KV, headDim: H, rmsNormEps: eps } = c;
  const T = inp.tokens.numel;
  const V = w.output.shape[0];

  // 'q8': each linear layer rounds its input as ggml does, into one scratch shared by all.
  let actScratch: Tensor | undefined;
  const acts: LinearActs | undefined = m.activationQuant === 'f32' ? undefined : {
    scratch: () => (actScratch ??= scratch.f32([actScratchWords(T, Math.max(D, F, N * H))])),
  };
  /** y_i = x W_iᵀ (+ b_i broadcast over rows) for weights sharing the input x: x is
   *  rounded once per activation format ('q8'), not once per weight. */
  const linear = (x: Tensor, ...outs: [W: Tensor, b: Tensor | undefined, y: Tensor][]) => {
    linearShared(step, x, outs.map(([W, , y]) => [W, y] as const), acts);
    for (const [, b, y] of outs) {
      if (!b) continue;
      // The bias (n) is a 1-row table: gathering row 0 for every token broadcasts it.
      const rows = scratch.f32([T, b.numel]);
      embedding(step, b, inp.zeros!, rows);
      add(step, y, rows);
    }
  };
  const ropeOpts = { headDim: H, neox: m.rope.neox, attnFactor: m.rope.attnFactor };

  const x = scratch.f32([T, D]); //          the residual stream
  const h = scratch.f32([T, D]); //          a normed copy / a block's output
  const q = scratch.f32([T, N, H]);
  const k = scratch.f32([T, KV, H]);
  const v = scratch.f32([T, KV, H]);
  const att = scratch.f32([T, N * H]);
  const gate = scratch.f32([T, F]);
  const up = scratch.f32([T, F]);
  const act = scratch.f32([T, F]);

  embedding(step, w.tokenEmbd, inp.tokens, x);
  w.layers.forEach((L, l) => {
    rmsNorm(step, x, L.attnNorm, eps, h);
    linear(h, [L.wq, L.bq, q], [L.wk, L.bk, k], [L.wv, L.bv, v]);
    if (L.qNorm && L.kNorm) {
      rmsNorm(step, q, L.qNorm, eps);
      rmsNorm(step, k, L.kNorm, eps);
    }
    rope(step, q, inp.positions, m.rope.freqs, ropeOpts);
    rope(step, k, inp.positions, m.rope.freqs, ropeOpts);
    kvWrite(step, cache, l, k, v, inp.batch);
    attention(step, q, cache, l, inp.batch, att, { numHeads: N, rounding: m.attentionRounding });
    linear(att, [L.wo, L.bo, h]);
    add(step, x, h);

    rmsNorm(step, x, L.ffnNorm, eps, h);
    linear(h, [L.wGate, L.bGate, gate], [L.wUp, L.bUp, up]);
    siluMul(step, gate, up, act);
    linear(act, [L.wDown, L.bDown, h]);
    add(step, x, h);
  });

  const R = inp.logitRows ? inp.logitRows.numel : T;
  const last = inp.logitRows ? scratch.f32([R, D]) : x;
  if (inp.logitRows) embedding(step, x, inp.logitRows, last); // gather rows of x
  const normed = scratch.f32([R, D]);
  rmsNorm(step, last, w.outputNorm, eps, normed);
  const logits = scratch.f32([R, V]);
  linearAny(step, normed, w.output, logits, acts);
  return logits;
}
