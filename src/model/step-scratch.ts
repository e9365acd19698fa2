// Per-step GPU tensors (activations, token ids, row indices) taken from the device's
// buffer pool and handed back together once the step is submitted, so a steady stream of
// steps of similar size reuses the same buffers.
import type { GpuDevice } from '../gpu/device.ts';
import { createTensor, type Tensor } from '../gpu/tensor.ts';

export class StepScratch {
  private readonly tensors: Tensor[] = [];

  constructor(readonly gpu: GpuDevice) {}

  /** An f32 activation; must fit one binding (the step's token count bounds it). */
  f32(shape: readonly number[]): Tensor {
    return this.take(createTensor(this.gpu, shape, 'f32', undefined, { pooled: true, label: 'activation' }));
  }

  /** A u32 vector holding `data`. */
  u32(data: Uint32Array): Tensor {
    return this.take(createTensor(this.gpu, [data.length], 'u32', data, { pooled: true, label: 'step-u32' }));
  }

  /** Returns every tensor to the pool; call after the step's submit (queue order keeps reuse safe). */
  release(): void {
    for (const t of this.tensors.splice(0)) t.destroy();
  }

  private take(t: Tensor): Tensor {
    this.tensors.push(t);
    if (t.chunks.length !== 1) {
      this.release();
      throw new Error(`step tensor [${t.shape}] exceeds one binding (maxStorageBufferBindingSize ${this.gpu.limits.maxStorageBufferBindingSize}); use fewer tokens per step`);
    }
    return t;
  }
}
