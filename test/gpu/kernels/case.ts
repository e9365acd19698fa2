// The kernel conformance suite's shape: each kernel file exports cases that compare the
// GPU kernel with its CPU reference. The same cases run under every runtime (Node's test
// runner, Bun, Deno, Chromium), so they use only test/helpers, never a runtime module.

import type { GpuDevice } from '../../../src/gpu/device.ts';

export interface KernelCase {
  name: string;
  /** Throws (an AssertionError) on mismatch; may return a short note for the log. */
  run(gpu: GpuDevice): Promise<string | void>;
  /** Skip on devices that cannot run it (e.g. f16 storage without shader-f16), with why. */
  skip?(gpu: GpuDevice): string | false;
}
