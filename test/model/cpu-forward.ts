// A plain CPU forward of a Llama-family GGUF, two ways:
//  - exact (default): f64, weights dequantized exactly, activations never rounded; K/V
//    stored as basert's KV cache stores them when `kvBits` is given, else kept in f64.
//    The model as the math defines it, to tell our GPU forward's own error apart from
//    llama.cpp's.
//  - llamaCpp: what llama.cpp's CPU backend computes for one prefill batch of < 64 tokens
//    with an f16 KV cache (node-llama-cpp 3.22.1, flash attention on): f32 arithmetic;
//    every linear layer's input rounded to its weight's vec_dot_type (src/cpu/
//    quantize-q8.ts: q8_0 / q8_1 / q8_K blocks, f16 for f16 weights; its AMX path, which
//    keeps some f16 weights' inputs f32 on CPUs that have AMX, is not modelled); and its
//    flash-attention kernel for fewer than 64 queries (ggml-cpu ops.cpp, one_chunk): q
//    rounded to f16, each score an f32 dot with the f16 key, V accumulated key by key into
//    an f16 vector with online-softmax rescaling, divided by the f32 sum at the end.
// Slow; tiny models only.
import { f16BitsToF32, f32ToF16Bits } from '../../src/cpu/f16.ts';
import { kvDequantizeRow, kvQuantizeRow } from '../../src/cpu/kv-write.ts';
import { actRoundingOf, dequantizeQ8, quantizeQ8, roundActivations } from '../../src/cpu/quantize-q8.ts';
import { rmsNormRowGgml } from '../../src/cpu/rms-norm.ts';
import type { KvBits } from '../../src/gpu/kv-cache.ts';
import type { DType } from '../../src/gpu/tensor.ts';
import { readTensorF32, type GgufFile } from '../../src/loader/gguf/index.ts';
import { ggmlTypeName, type GgmlType } from '../../src/loader/quant/index.ts';
import type { ModelConfig } from '../../src/loader/model-config.ts';
import { ropeTable } from '../../src/model/rope.ts';

type Mat = { rows: number; cols: number; w: Float32Array; type: GgmlType };

const f16Round = (v: number) => f16BitsToF32(f32ToF16Bits(v));

/** x rounded as llama.cpp's CPU backend rounds the input of a dot product with a `type` weight. */
export function llamaCppActivation(type: GgmlType, x: Float64Array): Float64Array {
  const kind = actRoundingOf(ggmlTypeName(type).toLowerCase() as DType);
  if (!kind) return x;
  if (kind === 'f16' || kind === 'bf16') return Float64Array.from(roundActivations(kind, x));
  return dequantizeQ8(quantizeQ8(kind, Float32Array.from(x), 1, x.length));
}

export interface CpuForwardOptions {
  /** Round each (token, kv head) row of K and V through the KV cache format (kv-write.ts). */
  kvBits?: KvBits;
  /** Compute as llama.cpp's CPU backend does (see the header); K/V in f16. */
  llamaCpp?: boolean;
}

export async function cpuLogits(file: GgufFile, c: ModelConfig, tokens: readonly number[], ropeNeox: boolean, opts: CpuForwardOptions = {}): Promise<Float64Array[]> {
  const names = new Set(file.tensors.map((t) => t.name));
  const types = new Map(file.tensors.map((t) => [t.name, t.type]));
  const emu = Boolean(opts.llamaCpp);
  /** One f32 rounding where llama.cpp's arithmetic has one; nothing in the exact forward. */
  const r32 = (v: number) => (emu ? Math.fround(v) : v);
  const kvRound = (x: Float64Array, heads: number) => {
    if (emu) return x.map(f16Round);
    if (opts.kvBits === undefined) return x;
    const out = new Float32Array(x.length);
    for (let h = 0; h < heads; h++) {
      const { words, scale } = kvQuantizeRow(x.subarray(h * H, (h + 1) * H), opts.kvBits);
      kvDequantizeRow(words, scale, opts.kvBits, out, h * H);
    }
    return Float64Array.from(out);
  };
  const get = async (n: string, rows: number): Promise<Mat> => {
    const w = await readTensorF32(file, n);
    return { rows, cols: w.length / rows, w, type: types.get(n)! };
  };
  const vec = async (n: string) => (names.has(n) ? Float64Array.from(await readTensorF32(file, n)) : undefined);
  const { hiddenSize: D, numHeads: N, numKvHeads: KV, headDim: H, rmsNormEps: eps } = c;
  const matvec = (m: Mat, x0: Float64Array, b?: Float64Array) => {
    const x = emu ? llamaCppActivation(m.type, x0) : x0;
    const y = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
      let s = 0;
      const o = r * m.cols;
      for (let k = 0; k < m.cols; k++) s += m.w[o + k] * x[k];
      y[r] = r32(r32(s) + (b ? b[r] : 0));
    }
    return y;
  };
  const rms = (x: Float64Array, w: Float64Array, off = 0, n = x.length) => {
    // ggml's own roundings (f32 squares summed in f64, then f32 steps): src/cpu/rms-norm.ts.
    if (emu) return rmsNormRowGgml(x, w, eps, off, n);
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[off + i] ** 2;
    const s = r32(1 / Math.sqrt(ss / n + eps));
    for (let i = 0; i < n; i++) x[off + i] = r32(r32(x[off + i] * s) * w[i]);
  };
  const factors = names.has('rope_freqs.weight') ? await readTensorF32(file, 'rope_freqs.weight') : undefined;
  const { invFreq, attnFactor } = ropeTable(c, factors);
  const rope = (x: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < invFreq.length; i++) {
        const [a, b] = ropeNeox ? [h * H + i, h * H + i + c.ropeDim / 2] : [h * H + 2 * i, h * H + 2 * i + 1];
        const cos = Math.cos(pos * invFreq[i]) * attnFactor, sin = Math.sin(pos * invFreq[i]) * attnFactor;
        [x[a], x[b]] = [r32(x[a] * cos - x[b] * sin), r32(x[a] * sin + x[b] * cos)];
      }
    }
  };
  const scale = r32(1 / Math.sqrt(H));
  /** Head h's attention output for query q over keys/values 0..t (group g). */
  const attend = (out: Float64Array, q: Float64Array, ks: Float64Array[], vs: Float64Array[], t: number, h: number, g: number) => {
    const dot = (j: number) => {
      let d = 0;
      for (let i = 0; i < H; i++) d += q[h * H + i] * ks[j][g * H + i];
      return d;
    };
    if (!emu) {
      const s = Array.from({ length: t + 1 }, (_, j) => dot(j) * scale);
      const m = Math.max(...s);
      const e = s.map((v) => Math.exp(v - m));
      const z = e.reduce((a, b) => a + b, 0);
      for (let j = 0; j <= t; j++) for (let i = 0; i < H; i++) out[h * H + i] += (e[j] / z) * vs[j][g * H + i];
      return;
    }
    // ggml's one-chunk flash attention: f16 accumulator, rescaled when the max grows.
    const acc = new Float64Array(H);
    let S = 0;
    let M = -Infinity;
    for (let j = 0; j <= t; j++) {
      const s = Math.fround(Math.fround(dot(j)) * scale);
      let ms = 1;
      let vsc = 1;
      if (s > M) {
        ms = Math.fround(Math.exp(M - s));
        M = s;
        for (let i = 0; i < H; i++) acc[i] = f16Round(Math.fround(acc[i] * ms));
      } else {
        vsc = Math.fround(Math.exp(s - M));
      }
      for (let i = 0; i < H; i++) acc[i] = f16Round(Math.fround(acc[i] + vs[j][g * H + i] * vsc));
      S = Math.fround(Math.fround(S * ms) + vsc);
    }
    const inv = Math.fround(1 / S);
    for (let i = 0; i < H; i++) out[h * H + i] = Math.fround(acc[i] * inv);
  };

  const embd = await get('token_embd.weight', c.vocabSize);
  const xs = tokens.map((t) => Float64Array.from(embd.w.subarray(t * D, (t + 1) * D)));
  for (let l = 0; l < c.numLayers; l++) {
    const p = `blk.${l}.`;
    const [attnNorm, ffnNorm] = [await vec(`${p}attn_norm.weight`), await vec(`${p}ffn_norm.weight`)];
    const [wq, wk, wv, wo] = [await get(`${p}attn_q.weight`, N * H), await get(`${p}attn_k.weight`, KV * H), await get(`${p}attn_v.weight`, KV * H), await get(`${p}attn_output.weight`, D)];
    const [bq, bk, bv] = [await vec(`${p}attn_q.bias`), await vec(`${p}attn_k.bias`), await vec(`${p}attn_v.bias`)];
    const [qn, kn] = [await vec(`${p}attn_q_norm.weight`), await vec(`${p}attn_k_norm.weight`)];
    const [wg, wu, wd] = [await get(`${p}ffn_gate.weight`, c.intermediateSize), await get(`${p}ffn_up.weight`, c.intermediateSize), await get(`${p}ffn_down.weight`, D)];
    const ks: Float64Array[] = [], vs: Float64Array[] = [], qs: Float64Array[] = [];
    xs.forEach((x, t) => {
      const h = Float64Array.from(x);
      rms(h, attnNorm!);
      const q = matvec(wq, h, bq), k = matvec(wk, h, bk), v = matvec(wv, h, bv);
      if (qn && kn) {
        for (let i = 0; i < N; i++) rms(q, qn, i * H, H);
        for (let i = 0; i < KV; i++) rms(k, kn, i * H, H);
      }
      rope(q, N, t);
      rope(k, KV, t);
      qs.push(emu ? q.map(f16Round) : q), ks.push(kvRound(k, KV)), vs.push(kvRound(v, KV));
    });
    xs.forEach((x, t) => {
      const att = new Float64Array(N * H);
      for (let h = 0; h < N; h++) attend(att, qs[t], ks, vs, t, h, Math.floor(h / (N / KV)));
      const o = matvec(wo, att);
      for (let i = 0; i < D; i++) x[i] = r32(x[i] + o[i]);
      const h = Float64Array.from(x);
      rms(h, ffnNorm!);
      const gt = matvec(wg, h), up = matvec(wu, h);
      const a = gt.map((g, i) => r32(r32(g / (1 + Math.exp(-g))) * up[i]));
      const d = matvec(wd, a);
      for (let i = 0; i < D; i++) x[i] = r32(x[i] + d[i]);
    });
  }
  const outNorm = (await vec('output_norm.weight'))!;
  const out = names.has('output.weight') ? await get('output.weight', c.vocabSize) : embd;
  return xs.map((x) => {
    const h = Float64Array.from(x);
    rms(h, outNorm);
    return matvec(out, h);
  });
}
