// Bun loads the same Dawn N-API addon as Node (the `webgpu` package), so the Node adapter
// is reused as is: no Bun-specific API is involved. The software-GPU environment
// (VK_ICD_FILENAMES / LD_LIBRARY_PATH for lavapipe) is inherited from the parent process.
import { findNodeGpu, nodeGpu } from '../node/gpu.ts';

/** Dawn's GPU object under Bun; also installs the WebGPU globals (GPUBufferUsage, …). */
export function bunGpu(dawnOptions: string[] = []): GPU {
  return nodeGpu(dawnOptions);
}

/** As on Node: the first Dawn backend with an adapter (Vulkan, then OpenGL). */
export function findBunGpu(): Promise<GPU> {
  return findNodeGpu();
}
