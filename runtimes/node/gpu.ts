// Node (and Bun) get WebGPU from Dawn through the `webgpu` package. Software Vulkan
// drivers are put in the environment before the process starts (scripts/gpu-env.mjs);
// when Vulkan yields no adapter, findNodeGpu falls back to Dawn's OpenGL backend.
import { create, globals } from 'webgpu';

let cached: GPU | undefined;

/** Dawn's GPU object with default options; also installs the WebGPU globals once. */
export function nodeGpu(dawnOptions: string[] = []): GPU {
  Object.assign(globalThis, globals);
  if (dawnOptions.length) return create(dawnOptions) as GPU;
  return (cached ??= create([]) as GPU);
}

/** The first Dawn backend that has an adapter: Vulkan/Metal/D3D12, then OpenGL (EGL). */
export async function findNodeGpu(): Promise<GPU> {
  const gpu = nodeGpu();
  if (await gpu.requestAdapter()) return gpu;
  process.env.EGL_PLATFORM ??= 'surfaceless';
  return nodeGpu(['backend=opengl']);
}
