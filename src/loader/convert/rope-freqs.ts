// Llama 3.1+ "llama3" RoPE scaling, which GGUF has no keys for: llama.cpp's converter
// bakes it into a rope_freqs.weight tensor (LlamaModel.generate_extra_tensors): one
// divisor per rotary frequency, applied to the base frequencies at run time.
// Computed in f32 as the converter's torch code does.
import type { RopeScaling } from '../model-config.ts';

type Llama3Scaling = Extract<RopeScaling, { type: 'llama3' }>;

/** headDim/2 factors: 1 for short wavelengths, `factor` for long ones, smoothed between. */
export function llama3RopeFactors(theta: number, headDim: number, s: Llama3Scaling): Float32Array {
  const f = Math.fround;
  const old = s.originalMaxPositionEmbeddings;
  const lowWavelen = old / s.lowFreqFactor;
  const highWavelen = old / s.highFreqFactor;
  const out = new Float32Array(headDim / 2);
  for (let i = 0; i < out.length; i++) {
    const freq = f(1 / f(theta ** f(f(2 * i) / headDim)));
    const wavelen = f(f(2 * Math.PI) / freq);
    if (wavelen < highWavelen) out[i] = 1;
    else if (wavelen > lowWavelen) out[i] = s.factor;
    else {
      const smooth = f(f(f(old / wavelen) - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor));
      out[i] = f(1 / f(f(f(1 - smooth) / s.factor) + smooth));
    }
  }
  return out;
}
