// The rotary frequencies of a model, computed on the host in f64 (kernels/rope.ts takes a
// table of inverse frequencies, radians per position, one per rotated pair), with the
// checkpoint's scaling applied:
//   rope_freqs.weight  GGUF Llama 3: per-pair divisors llama.cpp's converter baked in
//   llama3             HF Llama 3.1+: the same divisors, computed as the converter does
//   linear             positions / factor
//   yarn               transformers' _compute_yarn_parameters: a ramp between
//                      interpolated and original frequencies, and cos/sin scaled by the
//                      attention factor (0.1 ln(factor) + 1 unless the config says)
import { ropeInvFreq } from '../gpu/kernels/rope.ts';
import { llama3RopeFactors } from '../loader/convert/index.ts';
import type { ModelConfig } from '../loader/model-config.ts';

export interface RopeTable {
  /** [ropeDim / 2] radians per position. */
  readonly invFreq: Float64Array;
  /** Multiplies cos and sin (YaRN); 1 otherwise. */
  readonly attnFactor: number;
}

/** `freqFactors`: a GGUF's rope_freqs.weight, [ropeDim / 2] divisors, when it has one. */
export function ropeTable(c: ModelConfig, freqFactors?: Float32Array): RopeTable {
  const dim = c.ropeDim;
  const invFreq = ropeInvFreq(dim, c.ropeTheta);
  const s = c.ropeScaling;
  const factors = freqFactors ?? (s?.type === 'llama3' ? llama3RopeFactors(c.ropeTheta, dim, s) : undefined);
  if (factors) {
    if (factors.length !== invFreq.length) throw new RangeError(`rope: ${factors.length} frequency factors for ${invFreq.length} pairs`);
    for (let i = 0; i < invFreq.length; i++) invFreq[i] /= factors[i];
  }
  if (s?.type === 'linear') for (let i = 0; i < invFreq.length; i++) invFreq[i] /= s.factor;
  if (s?.type !== 'yarn') return { invFreq, attnFactor: 1 };

  const original = s.originalMaxPositionEmbeddings ?? c.maxPositionEmbeddings;
  // Pair index at which a frequency turns `rotations` times over the original context.
  const correction = (rotations: number) => (dim * Math.log(original / (rotations * 2 * Math.PI))) / (2 * Math.log(c.ropeTheta));
  const low = Math.max(Math.floor(correction(s.betaFast)), 0);
  let high = Math.min(Math.ceil(correction(s.betaSlow)), dim - 1);
  if (high === low) high += 0.001;
  for (let i = 0; i < invFreq.length; i++) {
    const ramp = Math.min(1, Math.max(0, (i - low) / (high - low)));
    const extrapolate = 1 - ramp;
    invFreq[i] = (invFreq[i] / s.factor) * (1 - extrapolate) + invFreq[i] * extrapolate;
  }
  return { invFreq, attnFactor: s.attentionFactor ?? 0.1 * Math.log(s.factor) + 1 };
}
