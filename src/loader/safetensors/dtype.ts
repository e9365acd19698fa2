// safetensors dtypes (the strings the header's "dtype" fields hold) and their element
// sizes in bytes, listed in the order of HF's Dtype enum (increasing alignment; its writer
// sorts tensors by it). All are little-endian. Sub-byte types (F4, F6_*) are not supported.
import { f16BitsToF32, f32ToF16Bits } from '../../cpu/f16.ts';
import { f32BitsToBf16 } from '../quant/float.ts';

export const SAFETENSORS_DTYPE_SIZES = {
  BOOL: 1, U8: 1, I8: 1, F8_E5M2: 1, F8_E4M3: 1, F8_E8M0: 1,
  I16: 2, U16: 2, F16: 2, BF16: 2,
  I32: 4, U32: 4, F32: 4,
  C64: 8, F64: 8, I64: 8, U64: 8,
} as const;

export type SafetensorsDtype = keyof typeof SAFETENSORS_DTYPE_SIZES;

export function isSafetensorsDtype(s: unknown): s is SafetensorsDtype {
  return typeof s === 'string' && Object.hasOwn(SAFETENSORS_DTYPE_SIZES, s);
}

export function dtypeSize(dtype: SafetensorsDtype): number {
  return SAFETENSORS_DTYPE_SIZES[dtype];
}

const RANK = new Map(Object.keys(SAFETENSORS_DTYPE_SIZES).map((d, i) => [d, i]));

/** Position in HF's Dtype enum: its writer puts higher ranks first. */
export function dtypeRank(dtype: SafetensorsDtype): number {
  return RANK.get(dtype)!;
}

/** Float tensors as f32 values (F32, F16, BF16 only: the weight dtypes basert reads). */
export function tensorToF32(dtype: SafetensorsDtype, bytes: Uint8Array): Float32Array {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = bytes.byteLength / dtypeSize(dtype);
  const out = new Float32Array(n);
  if (dtype === 'F32') for (let i = 0; i < n; i++) out[i] = dv.getFloat32(4 * i, true);
  else if (dtype === 'F16') for (let i = 0; i < n; i++) out[i] = f16BitsToF32(dv.getUint16(2 * i, true));
  else if (dtype === 'BF16') {
    const u = new Uint32Array(out.buffer);
    for (let i = 0; i < n; i++) u[i] = dv.getUint16(2 * i, true) << 16;
  } else throw new TypeError(`tensorToF32: ${dtype} is not a float dtype basert reads (F32, F16, BF16)`);
  return out;
}

/** Little-endian bytes of `values` stored as F32, F16 or BF16 (round to nearest even). */
export function f32ToTensorBytes(dtype: 'F32' | 'F16' | 'BF16', values: ArrayLike<number>): Uint8Array {
  const n = values.length;
  const out = new Uint8Array(n * dtypeSize(dtype));
  const dv = new DataView(out.buffer);
  if (dtype === 'F32') for (let i = 0; i < n; i++) dv.setFloat32(4 * i, values[i], true);
  else if (dtype === 'F16') for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32ToF16Bits(values[i]), true);
  else {
    const bits = new Uint32Array(Float32Array.from(values).buffer);
    for (let i = 0; i < n; i++) dv.setUint16(2 * i, f32BitsToBf16(bits[i]), true);
  }
  return out;
}
