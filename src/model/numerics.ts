// `numerics` presets (LoadModelOptions.numerics, --numerics): how a model's arithmetic
// rounds. See docs/model.md (Activation rounding, Parity, Attention rounding).

import type { ActivationQuant } from '../gpu/kernels/linear-quant.ts';
import type { AttentionRounding } from '../gpu/kernels/attention.ts';

export type Numerics = 'default' | 'llamacpp' | 'exact';
export const NUMERICS: readonly Numerics[] = ['default', 'llamacpp', 'exact'];

/** activationQuant and attentionRounding as the options (preset, then fields) make them. */
export function numericsOf(opts: { numerics?: Numerics; activationQuant?: ActivationQuant; attentionRounding?: AttentionRounding }, kind: 'gguf' | 'hf-dir'): { activationQuant: ActivationQuant; attentionRounding: AttentionRounding } {
  const preset = opts.numerics ?? 'default';
  if (!NUMERICS.includes(preset)) throw new Error(`numerics must be one of ${NUMERICS.join(', ')}, got ${String(preset)}`);
  return {
    activationQuant: opts.activationQuant ?? (preset === 'exact' ? 'f32' : preset === 'llamacpp' ? 'q8' : kind === 'gguf' ? 'q8' : 'f32'),
    attentionRounding: opts.attentionRounding ?? (preset === 'llamacpp' ? 'llamacpp' : 'f32'),
  };
}
