// CPU block formats: dequantize any supported ggml type to f32, quantize f32 to the
// types `basert quantize` writes. GPU kernels dequantize on the fly; these are for
// conversion, tests, and small tensors (norms, biases) that the CPU prepares.
import type { BlockCodec } from './codec.ts';
import { bf16Codec, f16Codec, f32Codec } from './float.ts';
import { GgmlType, ggmlTypeInfo, ggmlTypeName, tensorByteSize } from './formats.ts';
import { q4_K, q5_K, q6_K } from './k-quants.ts';
import { q4_0, q4_1, q5_0, q5_1, q8_0 } from './legacy.ts';

export type { BlockCodec } from './codec.ts';
export * from './formats.ts';

const CODECS = new Map<GgmlType, BlockCodec>([
  [GgmlType.F32, f32Codec], [GgmlType.F16, f16Codec], [GgmlType.BF16, bf16Codec],
  [GgmlType.Q4_0, q4_0], [GgmlType.Q4_1, q4_1], [GgmlType.Q5_0, q5_0], [GgmlType.Q5_1, q5_1],
  [GgmlType.Q8_0, q8_0], [GgmlType.Q4_K, q4_K], [GgmlType.Q5_K, q5_K], [GgmlType.Q6_K, q6_K],
]);

/** Types `dequantize` accepts. */
export const DEQUANTIZABLE_TYPES: readonly GgmlType[] = [...CODECS.keys()];
/** Types `quantize` produces. */
export const QUANTIZABLE_TYPES: readonly GgmlType[] = [...CODECS].filter(([, c]) => c.quantize).map(([t]) => t);

export function canDequantize(type: number): boolean {
  return CODECS.has(type as GgmlType);
}

export function canQuantize(type: number): boolean {
  return !!CODECS.get(type as GgmlType)?.quantize;
}

function sizeFor(type: number, numElements: number, what: string): number {
  if (!ggmlTypeInfo(type)) throw new Error(`${what}: unknown ggml type ${type}`);
  return tensorByteSize(type, numElements);
}

/** `numElements` (default: all the blocks in `bytes`) values of `type` as f32. */
export function dequantize(type: GgmlType, bytes: Uint8Array, numElements?: number): Float32Array {
  const codec = CODECS.get(type);
  if (!codec) throw new Error(`dequantize: no CPU decoder for ${ggmlTypeName(type)}`);
  const info = ggmlTypeInfo(type)!;
  const n = numElements ?? Math.floor(bytes.byteLength / info.typeSize) * info.blockSize;
  const need = sizeFor(type, n, 'dequantize');
  if (bytes.byteLength < need) {
    throw new Error(`dequantize: ${n} ${info.name} elements need ${need} bytes, got ${bytes.byteLength}`);
  }
  const out = new Float32Array(n);
  codec.dequantize(bytes, out);
  return out;
}

/** `values` (a whole number of blocks) encoded as `type`. */
export function quantize(type: GgmlType, values: Float32Array): Uint8Array<ArrayBuffer> {
  const q = CODECS.get(type)?.quantize;
  if (!q) throw new Error(`quantize: basert cannot write ${ggmlTypeName(type)}`);
  const out = new Uint8Array(sizeFor(type, values.length, 'quantize'));
  q(values, out);
  return out;
}
