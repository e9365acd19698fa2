// RoPE settings from config.json. transformers ≤ 4.x writes "rope_theta" and
// "rope_scaling" ({"rope_type" (or older "type"): ..., "factor": ...} or null); 5.x folds
// both into "rope_parameters" ({"rope_type": "default", "rope_theta": ...}). Both are read.
import { LoaderError } from '../loader-error.ts';
import type { RopeScaling } from '../model-config.ts';
import type { JsonFields } from './json-fields.ts';

export interface HfRope {
  readonly theta: number;
  readonly scaling: RopeScaling | null;
}

export function parseHfRope(f: JsonFields): HfRope {
  const params = f.object('rope_parameters');
  const s = f.object('rope_scaling') ?? params;
  const theta = f.num('rope_theta') ?? params?.num('rope_theta') ?? 10000;
  if (!s) return { theta, scaling: null };
  const type = s.str('rope_type') ?? s.str('type') ?? 'default';
  switch (type) {
    case 'default':
      return { theta, scaling: null };
    case 'linear':
      return { theta, scaling: { type, factor: need(s, 'factor') } };
    case 'llama3':
      return {
        theta,
        scaling: {
          type,
          factor: need(s, 'factor'),
          lowFreqFactor: need(s, 'low_freq_factor'),
          highFreqFactor: need(s, 'high_freq_factor'),
          originalMaxPositionEmbeddings: need(s, 'original_max_position_embeddings'),
        },
      };
    case 'yarn':
      return {
        theta,
        scaling: {
          type,
          factor: need(s, 'factor'),
          originalMaxPositionEmbeddings: s.int('original_max_position_embeddings') ?? null,
          betaFast: s.num('beta_fast', 32),
          betaSlow: s.num('beta_slow', 1),
          attentionFactor: s.num('attention_factor') ?? null,
        },
      };
    default:
      throw new LoaderError('unsupported', f.file, `RoPE scaling type "${type}" is not supported (basert implements linear, llama3, yarn)`);
  }
}

function need(s: JsonFields, key: string): number {
  const v = s.num(key);
  if (v === undefined) throw new LoaderError('bad-config', s.file, `"${s.where}${key}" is missing`);
  return v;
}
