// `basert doctor`: what WebGPU adapter this runtime has, what it supports, and three
// measured figures (f32 matmul GFLOP/s with the naive register-blocked kernel, read
// bandwidth GB/s, per-dispatch overhead µs). Runtime-agnostic: the adapter passes `GPU`.

import { acquireDevice, NoAdapterError, type GpuDevice } from '../gpu/device.ts';
import { matmulNaive } from '../gpu/kernels/matmul.ts';
import { measureDispatchOverhead, measureMatmul, measureReadBandwidth } from '../gpu/measure.ts';
import { formatHelp, type FlagSpec } from './flags.ts';

export const DOCTOR_FLAGS: FlagSpec[] = [
  { name: 'json', type: 'boolean', help: 'Print the report as JSON.' },
  { name: 'quick', type: 'boolean', help: 'Skip the measurements (adapter, features and limits only).' },
];

export const DOCTOR_HELP = formatHelp(
  'basert doctor [--json] [--quick]',
  'Reports the WebGPU adapter, its features and key limits, and measures f32 matmul GFLOP/s,\nread bandwidth and per-dispatch overhead. Exits 1 when no adapter is available.',
  DOCTOR_FLAGS,
);

export interface DoctorReport {
  runtime: string;
  adapter: GpuDevice['adapter'];
  features: GpuDevice['features'];
  limits: GpuDevice['limits'];
  figures?: { matmulGflops: number; readGBps: number; dispatchUs: number };
}

export async function runDoctor(
  gpu: GPU | undefined,
  runtime: string,
  opts: { quick?: boolean } = {},
): Promise<{ report?: DoctorReport; error?: string }> {
  let dev: GpuDevice;
  try {
    dev = await acquireDevice(gpu);
  } catch (e) {
    if (e instanceof NoAdapterError) return { error: e.message };
    return { error: `Could not create a WebGPU device: ${(e as Error).message}` };
  }
  try {
    const report: DoctorReport = { runtime, adapter: dev.adapter, features: dev.features, limits: dev.limits };
    if (!opts.quick) {
      report.figures = {
        matmulGflops: await measureMatmul(dev, matmulNaive),
        readGBps: await measureReadBandwidth(dev),
        dispatchUs: await measureDispatchOverhead(dev),
      };
      await dev.device.queue.onSubmittedWorkDone();
      dev.assertNoErrors('doctor measurements');
    }
    return { report };
  } finally {
    dev.destroy();
  }
}

const MIB = 1 << 20;

export function formatDoctor(r: DoctorReport): string {
  const a = r.adapter;
  const yes = (b: boolean) => (b ? 'yes' : 'no');
  const lines = [
    `runtime        ${r.runtime}`,
    `adapter        ${a.description || a.device || '(no description)'}`,
    `               vendor ${a.vendor || '?'}, architecture ${a.architecture || '?'}${a.isFallback ? ', software/fallback adapter' : ''}`,
    `features       shader-f16 ${yes(r.features.f16)}, subgroups ${yes(r.features.subgroups)}, timestamp-query ${yes(r.features.timestamp)}`,
    `limits         max buffer ${(r.limits.maxBufferSize / MIB).toFixed(0)} MiB, max storage binding ${(r.limits.maxStorageBufferBindingSize / MIB).toFixed(0)} MiB,`,
    `               workgroup storage ${r.limits.maxComputeWorkgroupStorageSize} B, ${r.limits.maxComputeInvocationsPerWorkgroup} invocations/workgroup, ${r.limits.maxStorageBuffersPerShaderStage} storage buffers/stage`,
  ];
  if (r.figures) {
    lines.push(
      `matmul f32     ${r.figures.matmulGflops.toFixed(1)} GFLOP/s (naive register-blocked kernel, 512x512x512)`,
      `read bandwidth ${r.figures.readGBps.toFixed(1)} GB/s`,
      `dispatch       ${r.figures.dispatchUs.toFixed(1)} µs per dispatch`,
    );
  }
  return lines.join('\n');
}
