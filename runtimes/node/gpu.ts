// Node (and Bun) get WebGPU from Dawn through the `webgpu` package. The software-GPU
// environment (lavapipe / SwiftShader ICD) is set up before the process starts; see
// runtimes/node/gpu-env.ts.
import { create, globals } from 'webgpu';

let cached: GPU | undefined;

/** Dawn's GPU object; also installs the WebGPU globals (GPUBufferUsage, …) once. */
export function nodeGpu(dawnOptions: string[] = []): GPU {
  if (!cached || dawnOptions.length) {
    Object.assign(globalThis, globals);
    const gpu = create(dawnOptions) as GPU;
    if (dawnOptions.length) return gpu;
    cached = gpu;
  }
  return cached;
}
