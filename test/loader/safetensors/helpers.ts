// Shared fixtures for the safetensors tests: tensors of every dtype the loader reads, raw
// files built from a header object (for corrupt cases), and a ByteSource that counts reads.
import type { ByteSource } from '../../../src/loader/byte-source.ts';
import { f32ToTensorBytes, type SafetensorsTensorInput } from '../../../src/loader/safetensors/index.ts';
import { randn } from '../../helpers/random.ts';

const bytesOf = (a: ArrayBufferView) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

/** A little Llama-ish checkpoint: F32/F16/BF16 weights plus integer and bool tensors. */
export function sampleTensors(): SafetensorsTensorInput[] {
  return [
    { name: 'model.embed_tokens.weight', dtype: 'BF16', shape: [10, 6], data: f32ToTensorBytes('BF16', randn(60, 1)) },
    { name: 'model.layers.0.self_attn.q_proj.weight', dtype: 'F16', shape: [6, 6], data: f32ToTensorBytes('F16', randn(36, 2)) },
    { name: 'model.layers.0.self_attn.q_proj.bias', dtype: 'F16', shape: [6], data: f32ToTensorBytes('F16', randn(6, 3)) },
    { name: 'model.layers.0.input_layernorm.weight', dtype: 'F32', shape: [6], data: f32ToTensorBytes('F32', randn(6, 4)) },
    { name: 'model.norm.weight', dtype: 'F32', shape: [6], data: f32ToTensorBytes('F32', randn(6, 5)) },
    { name: 'positions', dtype: 'I32', shape: [2, 3], data: bytesOf(new Int32Array([0, 1, 2, -3, 4, 2147483647])) },
    { name: 'counts', dtype: 'I64', shape: [2], data: bytesOf(new BigInt64Array([5n, -(2n ** 62n)])) },
    { name: 'bytes', dtype: 'U8', shape: [3], data: new Uint8Array([0, 7, 255]) },
    { name: 'mask', dtype: 'BOOL', shape: [1, 3], data: new Uint8Array([1, 0, 1]) },
    { name: 'scalar', dtype: 'F32', shape: [], data: f32ToTensorBytes('F32', [2.5]) },
    { name: 'empty', dtype: 'F16', shape: [0, 4], data: new Uint8Array(0) },
  ];
}

/** A file from a header written as-is (any JSON value or text) followed by `data`. */
export function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0)): Uint8Array {
  const json = new TextEncoder().encode(typeof header === 'string' ? header : JSON.stringify(header));
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

export interface CountingSource extends ByteSource {
  reads: number;
  bytesRead: number;
}

export function counting(src: ByteSource): CountingSource {
  const c: CountingSource = {
    name: src.name,
    size: src.size,
    reads: 0,
    bytesRead: 0,
    read: async (offset, length) => {
      const b = await src.read(offset, length);
      c.reads++;
      c.bytesRead += b.length;
      return b;
    },
  };
  return c;
}

/** A file of `size` bytes that exists only as its first bytes; the rest read as zeros. */
export function virtualFile(name: string, head: Uint8Array, size: number): ByteSource {
  return {
    name,
    size,
    read: async (offset, length) => {
      const n = Math.max(0, Math.min(length, size - offset));
      const out = new Uint8Array(n);
      if (offset < head.length) out.set(head.subarray(offset, Math.min(head.length, offset + n)));
      return out;
    },
  };
}
