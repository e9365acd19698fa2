// Browsers expose WebGPU as navigator.gpu, only in secure contexts (https:, or http: on
// localhost / 127.0.0.1) and only where WebGPU is enabled (Chrome/Edge 113+, Safari 26,
// Firefox 141 on Windows; elsewhere behind a flag such as --enable-unsafe-webgpu).

/** The page's GPU object, or undefined (acquireDevice then explains what is missing). */
export function browserGpu(): GPU | undefined {
  if (typeof navigator === 'undefined' || !('gpu' in navigator)) return undefined;
  return navigator.gpu ?? undefined;
}

/** Why navigator.gpu is missing, for error messages; '' when it is present. */
export function browserGpuMissingReason(): string {
  if (typeof navigator === 'undefined') return 'not running in a browser (no navigator)';
  if ('gpu' in navigator && navigator.gpu) return '';
  if (typeof isSecureContext !== 'undefined' && !isSecureContext) {
    return 'navigator.gpu is only available in secure contexts (https: or http://localhost / 127.0.0.1)';
  }
  return 'this browser has WebGPU disabled (Chromium: --enable-unsafe-webgpu or chrome://flags/#enable-unsafe-webgpu)';
}
