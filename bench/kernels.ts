// bench/kernels: GFLOP/s and GB/s of each kernel next to the adapter's measured peaks
// (read bandwidth from a streaming read kernel; f32 matmul from the naive
// register-blocked kernel the doctor times). Writes bench/results/kernels-<adapter>.json.
// A benchmark, never a test: figures depend on the machine and its load.
//
//   npm run bench:kernels [-- --quick]
import { mkdirSync, writeFileSync } from 'node:fs';
import { findNodeGpu } from '../runtimes/node/gpu.ts';
import { acquireDevice, type GpuDevice } from '../src/gpu/device.ts';
import { measureDispatchOverhead, measureMatmul, measureReadBandwidth, timeSteps } from '../src/gpu/measure.ts';
import { kernelBenches, type KernelBench } from './kernel-cases.ts';

interface Row {
  kernel: string;
  shape: string;
  ms: number;
  gflops: number;
  gbps: number;
  /** Fraction of the adapter's measured read bandwidth (memory-bound kernels). */
  ofPeakBandwidth: number;
  /** Fraction of the naive matmul's GFLOP/s (compute-bound kernels). */
  ofNaiveMatmul: number;
}

async function runBench(gpu: GpuDevice, b: KernelBench, reps: number) {
  const setup = b.setup(gpu);
  const ms = (await timeSteps(gpu, (step) => { for (let i = 0; i < reps; i++) setup.record(step); }, { warmup: 1, reps: 3 })) / reps;
  setup.destroy();
  return { ms, gflops: b.flops / (ms * 1e6), gbps: b.bytes / (ms * 1e6) };
}

const quick = process.argv.includes('--quick');
// --no-f16 / --no-subgroups time the fallback paths on an adapter that has the features.
const disable = [
  ...(process.argv.includes('--no-f16') ? (['shader-f16'] as const) : []),
  ...(process.argv.includes('--no-subgroups') ? (['subgroups'] as const) : []),
];
const gpu = await acquireDevice(await findNodeGpu(), { disable: [...disable] });
const peak = {
  readGBps: await measureReadBandwidth(gpu),
  naiveMatmulGflops: await measureMatmul(gpu, (await import('../src/gpu/kernels/matmul.ts')).matmulNaive),
  dispatchUs: await measureDispatchOverhead(gpu),
};
console.log(`adapter: ${gpu.adapter.description} (f16 ${gpu.features.f16}, subgroups ${gpu.features.subgroups})`);
console.log(`peak: read ${peak.readGBps.toFixed(2)} GB/s, naive matmul ${peak.naiveMatmulGflops.toFixed(2)} GFLOP/s, dispatch ${peak.dispatchUs.toFixed(1)} µs`);

const rows: Row[] = [];
for (const b of kernelBenches(gpu, quick)) {
  const r = await runBench(gpu, b, b.reps ?? 4);
  const row: Row = {
    kernel: b.kernel,
    shape: b.shape,
    ms: r.ms,
    gflops: r.gflops,
    gbps: r.gbps,
    ofPeakBandwidth: r.gbps / peak.readGBps,
    ofNaiveMatmul: r.gflops / peak.naiveMatmulGflops,
  };
  rows.push(row);
  console.log(
    `${b.kernel.padEnd(22)} ${b.shape.padEnd(26)} ${r.ms.toFixed(3).padStart(9)} ms ${r.gflops.toFixed(2).padStart(8)} GFLOP/s ${r.gbps.toFixed(2).padStart(7)} GB/s  ${(100 * row.ofPeakBandwidth).toFixed(0).padStart(3)}% of read peak`,
  );
}

const result = {
  benchmark: 'kernels',
  date: new Date().toISOString(),
  runtime: `node ${process.version}`,
  adapter: gpu.adapter,
  features: gpu.features,
  peak,
  rows,
};
const slug = (gpu.adapter.description || gpu.adapter.device || 'adapter').split(/[:(]/)[0].trim().replace(/\W+/g, '-').toLowerCase();
mkdirSync('bench/results', { recursive: true });
const file = `bench/results/kernels-${slug}${disable.map((d) => `-no-${d}`).join('')}.json`;
writeFileSync(file, JSON.stringify(result, null, 2) + '\n');
console.log(`wrote ${file}`);
gpu.destroy();
process.exit(0);
