// A plain f64 CPU forward of a Llama-family GGUF (weights dequantized exactly; K/V stored
// as basert's KV cache stores them when `kvBits` is given, else kept in f64): the model as
// the math defines it, to tell our GPU forward's own error apart from llama.cpp's (which
// quantizes activations to q8 before quantized dot products and rounds q and the attention
// weights to f16). Slow; tiny models only.
import { f16BitsToF32, f32ToF16Bits } from '../../src/cpu/f16.ts';
import { kvDequantizeRow, kvQuantizeRow } from '../../src/cpu/kv-write.ts';
import type { KvBits } from '../../src/gpu/kv-cache.ts';
import { readTensorF32, type GgufFile } from '../../src/loader/gguf/index.ts';
import { dequantize, GgmlType, quantize } from '../../src/loader/quant/index.ts';
import type { ModelConfig } from '../../src/loader/model-config.ts';
import { ropeTable } from '../../src/model/rope.ts';

type Mat = { rows: number; cols: number; w: Float32Array; type: GgmlType };

const f16Round = (v: number) => f16BitsToF32(f32ToF16Bits(v));
const K_QUANTS: readonly number[] = [GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K];

/** ggml's quantize_row_q8_K (256-blocks, f32 scale -max/127), dequantized. */
function q8K(x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < x.length; b += 256) {
    let amax = 0, max = 0;
    for (let i = b; i < b + 256; i++) if (Math.abs(x[i]) > amax) [amax, max] = [Math.abs(x[i]), x[i]];
    if (amax === 0) continue;
    const iscale = Math.fround(-127 / max);
    for (let i = b; i < b + 256; i++) out[i] = Math.min(127, Math.round(Math.fround(iscale * x[i]))) * Math.fround(1 / iscale);
  }
  return out;
}

/**
 * The activation rounding llama.cpp's CPU backend applies before a dot product with a
 * weight of `type` (its vec_dot_type): q8_K for K-quants, q8_0 for the 32-block formats,
 * f16 for f16 weights, none for f32.
 */
export function llamaCppActivation(type: GgmlType, x: Float64Array): Float64Array {
  if (type === GgmlType.F32) return x;
  if (type === GgmlType.F16) return x.map(f16Round);
  if (K_QUANTS.includes(type)) return q8K(x);
  return Float64Array.from(dequantize(GgmlType.Q8_0, quantize(GgmlType.Q8_0, Float32Array.from(x))));
}

export interface CpuForwardOptions {
  /** Round each (token, kv head) row of K and V through the KV cache format (kv-write.ts). */
  kvBits?: KvBits;
  /** Round activations, q and attention weights as llama.cpp's CPU backend does (f16 KV cache). */
  emulateLlamaCpp?: boolean;
}

export async function cpuLogits(file: GgufFile, c: ModelConfig, tokens: readonly number[], ropeNeox: boolean, opts: CpuForwardOptions = {}): Promise<Float64Array[]> {
  const names = new Set(file.tensors.map((t) => t.name));
  const types = new Map(file.tensors.map((t) => [t.name, t.type]));
  const emu = Boolean(opts.emulateLlamaCpp);
  const r16 = (v: number) => (emu ? f16Round(v) : v);
  const kvRound = (x: Float64Array, heads: number) => {
    if (opts.kvBits === undefined) return x.map(r16);
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
  const T = tokens.length;
  const matvec = (m: Mat, x0: Float64Array, b?: Float64Array) => {
    const x = emu ? llamaCppActivation(m.type, x0) : x0;
    const y = new Float64Array(m.rows);
    for (let r = 0; r < m.rows; r++) {
      let s = b ? b[r] : 0;
      for (let k = 0; k < m.cols; k++) s += m.w[r * m.cols + k] * x[k];
      y[r] = s;
    }
    return y;
  };
  const rms = (x: Float64Array, w: Float64Array, off = 0, n = x.length) => {
    let ss = 0;
    for (let i = 0; i < n; i++) ss += x[off + i] ** 2;
    const s = 1 / Math.sqrt(ss / n + eps);
    for (let i = 0; i < n; i++) x[off + i] = x[off + i] * s * w[i];
  };
  const factors = names.has('rope_freqs.weight') ? await readTensorF32(file, 'rope_freqs.weight') : undefined;
  const { invFreq, attnFactor } = ropeTable(c, factors);
  const rope = (x: Float64Array, heads: number, pos: number) => {
    for (let h = 0; h < heads; h++) {
      for (let i = 0; i < invFreq.length; i++) {
        const [a, b] = ropeNeox ? [h * H + i, h * H + i + c.ropeDim / 2] : [h * H + 2 * i, h * H + 2 * i + 1];
        const cos = Math.cos(pos * invFreq[i]) * attnFactor, sin = Math.sin(pos * invFreq[i]) * attnFactor;
        [x[a], x[b]] = [x[a] * cos - x[b] * sin, x[a] * sin + x[b] * cos];
      }
    }
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
      qs.push(q.map(r16)), ks.push(kvRound(k, KV)), vs.push(kvRound(v, KV));
    });
    xs.forEach((x, t) => {
      const att = new Float64Array(N * H);
      for (let h = 0; h < N; h++) {
        const g = Math.floor(h / (N / KV));
        const s = Array.from({ length: t + 1 }, (_, j) => {
          let d = 0;
          for (let i = 0; i < H; i++) d += qs[t][h * H + i] * ks[j][g * H + i];
          return d / Math.sqrt(H);
        });
        const m = Math.max(...s);
        const e = s.map((v) => Math.exp(v - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let j = 0; j <= t; j++) for (let i = 0; i < H; i++) att[h * H + i] += r16(e[j] / z) * vs[j][g * H + i];
      }
      const o = matvec(wo, att);
      for (let i = 0; i < D; i++) x[i] += o[i];
      const h = Float64Array.from(x);
      rms(h, ffnNorm!);
      const gt = matvec(wg, h), up = matvec(wu, h);
      const a = gt.map((g, i) => (g / (1 + Math.exp(-g))) * up[i]);
      const d = matvec(wd, a);
      for (let i = 0; i < D; i++) x[i] += d[i];
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
