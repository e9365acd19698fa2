// Deterministic random weights for the tiny test models: each tensor drawn from its own
// stream (seeded by the model seed and the tensor's name, so adding a tensor changes no
// other), normal with the given mean and std, written as a safetensors file one tensor
// at a time.
import { f32ToTensorBytes, planSafetensors } from '../safetensors/index.ts';

export interface TinyTensor {
  readonly name: string;
  /** PyTorch order: [out, in] for a linear weight. */
  readonly shape: readonly number[];
  readonly std: number;
  readonly mean?: number;
}

/** FNV-1a of a string: the per-tensor seed. */
function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/** sfc32: uniform in [0, 1), 2^-32 resolution. */
function sfc32(seed: number): () => number {
  let a = 0x9e3779b9, b = 0x243f6a88, c = 0xb7e15162, d = seed | 0;
  const next = () => {
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = ((c << 21) | (c >>> 11)) + t | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** `n` normal draws (Box-Muller) with the given mean and std. */
export function normals(seed: number, n: number, std: number, mean = 0): Float32Array {
  const u = sfc32(seed);
  const out = new Float32Array(n);
  for (let i = 0; i < n; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - u())) * std;
    const t = 2 * Math.PI * u();
    out[i] = mean + r * Math.cos(t);
    if (i + 1 < n) out[i + 1] = mean + r * Math.sin(t);
  }
  return out;
}

export function tinyTensorValues(t: TinyTensor, modelSeed: number): Float32Array {
  return normals(hash32(`${modelSeed}:${t.name}`), t.shape.reduce((a, b) => a * b, 1), t.std, t.mean);
}

/** The safetensors file's bytes as chunks (header, then each tensor, generated on demand). */
export function tinySafetensors(tensors: readonly TinyTensor[], dtype: 'F32' | 'BF16', modelSeed: number): () => Iterable<Uint8Array> {
  return function* () {
    const layout = planSafetensors(tensors.map((t) => ({ ...t, dtype })), { format: 'pt' });
    yield layout.header;
    for (const { spec } of layout.tensors) {
      const values = tinyTensorValues(spec, modelSeed);
      yield dtype === 'F32' ? new Uint8Array(values.buffer) : f32ToTensorBytes(dtype, values);
    }
  };
}
