// Deno has WebGPU built in (wgpu) as navigator.gpu. It finds the software Vulkan driver
// (lavapipe) through the inherited VK_ICD_FILENAMES; wgpu reports no `subgroups` feature,
// so the kernels' fallback paths run there.

/** Deno's GPU object, or undefined when this Deno build has no WebGPU. */
export function denoGpu(): GPU | undefined {
  const nav = (globalThis as { navigator?: { gpu?: GPU } }).navigator;
  return nav?.gpu ?? undefined;
}
