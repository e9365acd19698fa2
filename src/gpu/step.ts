// Records a sequence of kernel dispatches and submits them as one compute pass in one
// queue submission. All dispatch parameters go through a single pooled uniform buffer
// written once per step; nothing is read back except what `read()` asks for.
//
// Binding convention for every kernel: @group(0) @binding(0..n-1) are the storage
// buffers in the order passed, @binding(n) is the `Params` uniform (when given).

import type { GpuDevice } from './device.ts';
import { BufferUsage, MapMode } from './flags.ts';
import type { PipelineSpec } from './pipeline-cache.ts';
import { alignUp } from './tensor.ts';

export type Workgroups = readonly [number, number?, number?];

interface RecordedDispatch {
  pipeline: GPUComputePipeline;
  buffers: GPUBufferBinding[];
  paramsOffset: number;
  paramsSize: number;
  workgroups: Workgroups;
}

interface RecordedRead {
  src: GPUBufferBinding;
  size: number;
  resolve: (data: ArrayBuffer) => void;
  reject: (e: unknown) => void;
  /** Index into `dispatches` after which the copy happens. */
  after: number;
}

export class GpuStep {
  private readonly dispatches: RecordedDispatch[] = [];
  private readonly reads: RecordedRead[] = [];
  private params = new Uint8Array(1024);
  private paramsUsed = 0;
  private submitted = false;

  constructor(readonly gpu: GpuDevice) {}

  get numDispatches(): number {
    return this.dispatches.length;
  }

  /** Queues one dispatch. `params` is the raw bytes of the shader's Params struct. */
  dispatch(spec: PipelineSpec, buffers: GPUBufferBinding[], params: ArrayBufferView | null, workgroups: Workgroups): void {
    if (this.submitted) throw new Error('step already submitted');
    const [x, y = 1, z = 1] = workgroups;
    const maxWg = this.gpu.limits.maxComputeWorkgroupsPerDimension;
    if (x > maxWg || y > maxWg || z > maxWg) {
      throw new Error(`${spec.shader}: dispatch ${x}x${y}x${z} exceeds ${maxWg} workgroups per dimension`);
    }
    if (x === 0 || y === 0 || z === 0) return;
    let paramsOffset = -1;
    let paramsSize = 0;
    if (params) {
      const align = Math.max(this.gpu.limits.minUniformBufferOffsetAlignment, 16);
      paramsOffset = alignUp(this.paramsUsed, align);
      paramsSize = alignUp(params.byteLength, 16);
      this.reserve(paramsOffset + paramsSize);
      this.params.set(new Uint8Array(params.buffer, params.byteOffset, params.byteLength), paramsOffset);
      this.paramsUsed = paramsOffset + paramsSize;
    }
    this.dispatches.push({ pipeline: this.gpu.pipelines.get(spec), buffers, paramsOffset, paramsSize, workgroups });
  }

  /** Schedules a copy of `src` back to the CPU after the dispatches recorded so far. */
  read(src: GPUBufferBinding, size = src.size ?? src.buffer.size - (src.offset ?? 0)): Promise<ArrayBuffer> {
    return new Promise((resolve, reject) => {
      this.reads.push({ src, size, resolve, reject, after: this.dispatches.length });
    });
  }

  /** Encodes everything into one pass (split only where a read-back copy must sit) and submits. */
  async submit(): Promise<void> {
    if (this.submitted) throw new Error('step already submitted');
    this.submitted = true;
    const { device, pool } = this.gpu;
    let uniform: GPUBuffer | null = null;
    if (this.paramsUsed > 0) {
      uniform = pool.acquire(this.paramsUsed, BufferUsage.UNIFORM | BufferUsage.COPY_DST, 'step-params');
      device.queue.writeBuffer(uniform, 0, this.params, 0, alignUp(this.paramsUsed, 4));
    }
    const enc = device.createCommandEncoder();
    const staging: GPUBuffer[] = [];
    let next = 0;
    const encodeUpTo = (end: number) => {
      if (next >= end) return;
      const pass = enc.beginComputePass();
      for (; next < end; next++) this.encodeOne(pass, this.dispatches[next], uniform);
      pass.end();
    };
    for (const r of this.reads) {
      encodeUpTo(r.after);
      const size = alignUp(r.size, 4);
      const buf = pool.acquire(size, BufferUsage.MAP_READ | BufferUsage.COPY_DST, 'readback');
      enc.copyBufferToBuffer(r.src.buffer, r.src.offset ?? 0, buf, 0, size);
      staging.push(buf);
    }
    encodeUpTo(this.dispatches.length);
    device.queue.submit([enc.finish()]);
    // Queue order makes the pooled uniform safe to reuse by the next step's writeBuffer.
    if (uniform) pool.release(uniform);
    if (!this.reads.length) return;
    await Promise.all(
      this.reads.map(async (r, i) => {
        const buf = staging[i];
        try {
          await buf.mapAsync(MapMode.READ, 0, alignUp(r.size, 4));
          r.resolve(buf.getMappedRange(0, alignUp(r.size, 4)).slice(0, r.size));
          buf.unmap();
          pool.release(buf);
        } catch (e) {
          r.reject(e);
          throw e;
        }
      }),
    );
  }

  private encodeOne(pass: GPUComputePassEncoder, d: RecordedDispatch, uniform: GPUBuffer | null): void {
    const buffers = d.paramsOffset >= 0 && uniform ? [...d.buffers, { buffer: uniform, offset: d.paramsOffset, size: d.paramsSize }] : d.buffers;
    pass.setPipeline(d.pipeline);
    pass.setBindGroup(0, this.gpu.bindGroups.get(d.pipeline, buffers));
    pass.dispatchWorkgroups(d.workgroups[0], d.workgroups[1] ?? 1, d.workgroups[2] ?? 1);
  }

  private reserve(bytes: number): void {
    if (bytes <= this.params.byteLength) return;
    const grown = new Uint8Array(Math.max(bytes, this.params.byteLength * 2));
    grown.set(this.params);
    this.params = grown;
  }
}

/** Splits `n` workgroups into a 2-D grid within the per-dimension limit; shaders
 *  recover the linear index as wg.x + wg.y * num_wg.x and must bounds-check. */
export function grid(n: number, maxPerDim = 65535): [number, number] {
  if (n <= maxPerDim) return [n, 1];
  const y = Math.ceil(n / maxPerDim);
  return [Math.ceil(n / y), y];
}

/** Builds a shader's Params struct: 4-byte u32/i32/f32 fields in WGSL declaration order. */
export class Params {
  private readonly dv: DataView;
  private n = 0;

  constructor(maxFields = 16) {
    this.dv = new DataView(new ArrayBuffer(maxFields * 4));
  }
  u32(v: number): this {
    this.dv.setUint32(this.n++ * 4, v, true);
    return this;
  }
  i32(v: number): this {
    this.dv.setInt32(this.n++ * 4, v, true);
    return this;
  }
  f32(v: number): this {
    this.dv.setFloat32(this.n++ * 4, v, true);
    return this;
  }
  /** The struct's bytes, padded to 16 as uniform layout requires. */
  bytes(): Uint8Array {
    return new Uint8Array(this.dv.buffer, 0, alignUp(Math.max(this.n, 1) * 4, 16));
  }
}
