// A GPU tensor: a row-major array whose leading dimension may be split across several
// buffers, because a weight can exceed maxStorageBufferBindingSize (128 MiB on lavapipe).
// Kernels that read weights iterate over `chunks`; activations always fit in one chunk.

import type { GpuDevice } from './device.ts';
import { BufferUsage, MapMode } from './flags.ts';

/** GGML weight formats kept as their raw file bytes on the GPU (kernels/linear-quant.ts). */
export type QuantDType = 'bf16' | 'q8_0' | 'q4_0' | 'q4_1' | 'q5_0' | 'q5_1' | 'q4_k' | 'q5_k' | 'q6_k';
export type DType = 'f32' | 'f16' | 'u32' | 'i32' | QuantDType;
/** [elements, bytes] per block, as ggml stores them (1 element for unblocked types). */
export const DTYPE_BLOCK: Record<DType, readonly [number, number]> = {
  f32: [1, 4], f16: [1, 2], u32: [1, 4], i32: [1, 4], bf16: [1, 2],
  q8_0: [32, 34], q4_0: [32, 18], q4_1: [32, 20], q5_0: [32, 22], q5_1: [32, 24],
  q4_k: [256, 144], q5_k: [256, 176], q6_k: [256, 210],
};
/** Bytes per element; an average (e.g. 18/32) for block types: size rows with rowByteSize. */
export const DTYPE_BYTES = Object.fromEntries(
  Object.entries(DTYPE_BLOCK).map(([t, [n, b]]) => [t, b / n]),
) as Record<DType, number>;

/** Bytes of one row of `rowLen` elements; block types need whole blocks per row. */
export function rowByteSize(dtype: DType, rowLen: number): number {
  const [n, b] = DTYPE_BLOCK[dtype];
  if (rowLen % n !== 0) throw new Error(`${dtype} rows must be a multiple of ${n} elements (blocks), got ${rowLen}`);
  return (rowLen / n) * b;
}

/** Elements per row: the product of the trailing dims (all of a 1-D tensor). */
function rowLength(shape: readonly number[]): number {
  return shape.length > 1 ? shape.slice(1).reduce((a, b) => a * b, 1) : (shape[0] ?? 1);
}

export interface TensorChunk {
  buffer: GPUBuffer;
  /** First row of the tensor held by this chunk, and how many rows it holds. */
  rowStart: number;
  rows: number;
}

export const STORAGE_USAGE = BufferUsage.STORAGE | BufferUsage.COPY_SRC | BufferUsage.COPY_DST;

export class Tensor {
  constructor(
    readonly shape: readonly number[],
    readonly dtype: DType,
    readonly chunks: readonly TensorChunk[],
    private readonly gpu: GpuDevice,
    private readonly pooled: boolean,
  ) {}

  get numel(): number {
    return this.shape.reduce((a, b) => a * b, 1);
  }
  /** Leading dimension (1 for a scalar/1-D tensor treated as one row). */
  get rows(): number {
    return this.shape.length > 1 ? this.shape[0] : 1;
  }
  get rowBytes(): number {
    return rowByteSize(this.dtype, rowLength(this.shape));
  }
  get byteLength(): number {
    return this.rows * this.rowBytes;
  }

  /** The whole tensor as one binding; only for tensors that fit in one chunk. */
  binding(): GPUBufferBinding {
    if (this.chunks.length !== 1) throw new Error(`tensor [${this.shape}] is split into ${this.chunks.length} chunks`);
    return { buffer: this.chunks[0].buffer, offset: 0, size: alignUp(this.byteLength, 4) };
  }

  chunkBinding(c: TensorChunk): GPUBufferBinding {
    return { buffer: c.buffer, offset: 0, size: alignUp(c.rows * this.rowBytes, 4) };
  }

  destroy(): void {
    for (const c of this.chunks) {
      if (this.pooled) this.gpu.pool.release(c.buffer);
      else c.buffer.destroy();
    }
  }
}

export function alignUp(n: number, a: number): number {
  return Math.ceil(n / a) * a;
}

export interface CreateTensorOptions {
  /** Split rows so no chunk exceeds this many bytes (default: the device's binding limit). */
  maxChunkBytes?: number;
  /** Take buffers from the pool (activations) instead of dedicated ones (weights). */
  pooled?: boolean;
  label?: string;
}

export function createTensor(
  gpu: GpuDevice,
  shape: readonly number[],
  dtype: DType,
  data?: ArrayBufferView,
  opts: CreateTensorOptions = {},
): Tensor {
  const rows = shape.length > 1 ? shape[0] : 1;
  const rowBytes = rowByteSize(dtype, rowLength(shape));
  const limit = Math.min(
    opts.maxChunkBytes ?? Infinity,
    gpu.limits.maxStorageBufferBindingSize,
    gpu.limits.maxBufferSize,
  );
  const rowsPerChunk = Math.floor(limit / rowBytes);
  if (rowsPerChunk < 1) {
    throw new Error(`one row of tensor [${shape}] (${rowBytes} bytes) exceeds the binding limit of ${limit} bytes`);
  }
  if (data && data.byteLength < rows * rowBytes) {
    throw new Error(`tensor [${shape}] ${dtype} needs ${rows * rowBytes} bytes, got ${data.byteLength}`);
  }
  const chunks: TensorChunk[] = [];
  for (let r = 0; r < rows; r += rowsPerChunk) {
    const n = Math.min(rowsPerChunk, rows - r);
    const bytes = alignUp(n * rowBytes, 4);
    const buffer = opts.pooled
      ? gpu.pool.acquire(bytes, STORAGE_USAGE, opts.label)
      : gpu.device.createBuffer({ size: Math.max(bytes, 4), usage: STORAGE_USAGE, label: opts.label });
    if (data) {
      const start = data.byteOffset + r * rowBytes;
      const len = n * rowBytes;
      if (len % 4 === 0) {
        gpu.device.queue.writeBuffer(buffer, 0, data.buffer, start, len);
      } else {
        // writeBuffer sizes must be multiples of 4; pad the tail of an odd-sized chunk.
        const padded = new Uint8Array(bytes);
        padded.set(new Uint8Array(data.buffer, start, len));
        gpu.device.queue.writeBuffer(buffer, 0, padded);
      }
    }
    chunks.push({ buffer, rowStart: r, rows: n });
  }
  return new Tensor(shape, dtype, chunks, gpu, Boolean(opts.pooled));
}

/** Copies a whole tensor back to the CPU (tests, debugging; the engine reads only sampled ids). */
export async function readTensor(gpu: GpuDevice, t: Tensor): Promise<ArrayBuffer> {
  const out = new Uint8Array(t.byteLength);
  const enc = gpu.device.createCommandEncoder();
  const staging = t.chunks.map((c) => {
    const size = alignUp(c.rows * t.rowBytes, 4);
    const buf = gpu.device.createBuffer({ size, usage: BufferUsage.MAP_READ | BufferUsage.COPY_DST });
    enc.copyBufferToBuffer(c.buffer, 0, buf, 0, size);
    return buf;
  });
  gpu.device.queue.submit([enc.finish()]);
  await Promise.all(staging.map((b) => b.mapAsync(MapMode.READ)));
  t.chunks.forEach((c, i) => {
    const bytes = new Uint8Array(staging[i].getMappedRange(), 0, c.rows * t.rowBytes);
    out.set(bytes, c.rowStart * t.rowBytes);
    staging[i].destroy();
  });
  return out.buffer;
}
