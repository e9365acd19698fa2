// The kernel conformance suite on Node (Dawn), twice: with every feature the adapter has
// (shader-f16, subgroups where present) and with neither, so both code paths are checked.
import { after, before, describe, test } from 'node:test';
import { acquireDevice, type AcquireOptions, type GpuDevice } from '../../src/gpu/device.ts';
import { nodeGpu } from '../../runtimes/node/gpu.ts';
import { kernelSuite } from './kernels/suite.ts';

async function adapterHasF16(): Promise<boolean> {
  const adapter = await nodeGpu().requestAdapter();
  return Boolean(adapter?.features.has('shader-f16'));
}

const variants: [string, AcquireOptions][] = [
  ['all features', {}],
  ['native f16 loads', { tuning: { nativeF16Loads: true } }],
  ['no f16, no subgroups', { disable: ['shader-f16', 'subgroups'] }],
];

for (const [label, opts] of variants) {
  if (opts.tuning?.nativeF16Loads && !(await adapterHasF16())) continue;
  describe(`kernels (${label})`, () => {
    let gpu: GpuDevice;
    before(async () => {
      gpu = await acquireDevice(nodeGpu(), opts);
    });
    after(() => gpu.destroy());
    for (const c of kernelSuite) {
      test(c.name, async (t) => {
        const skip = c.skip?.(gpu);
        if (skip) return t.skip(skip);
        const note = await c.run(gpu);
        await gpu.device.queue.onSubmittedWorkDone();
        gpu.assertNoErrors(c.name);
        if (note) t.diagnostic(note);
      });
    }
  });
}
