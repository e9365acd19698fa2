// Measures what an adapter can do, for `basert doctor` and the benchmarks: read
// bandwidth, per-dispatch overhead and f32 matmul throughput. Wall-clock timing of whole
// submissions (warm-up first, best of several repetitions), so figures include the
// submit round trip the way real steps do.

import type { GpuDevice } from './device.ts';
import { GpuStep, Params } from './step.ts';
import { createTensor, type Tensor } from './tensor.ts';

export interface TimingOptions {
  warmup?: number;
  reps?: number;
}

/** Best wall time (ms) of `reps` runs of `record` + submit + wait-for-idle. */
export async function timeSteps(gpu: GpuDevice, record: (step: GpuStep) => void, opts: TimingOptions = {}): Promise<number> {
  const once = async () => {
    const step = new GpuStep(gpu);
    record(step);
    const t0 = performance.now();
    await step.submit();
    await gpu.device.queue.onSubmittedWorkDone();
    return performance.now() - t0;
  };
  for (let i = 0; i < (opts.warmup ?? 2); i++) await once();
  let best = Infinity;
  for (let i = 0; i < (opts.reps ?? 5); i++) best = Math.min(best, await once());
  return best;
}

const READ_WG = 256;

/** GB/s reading `bytes` (default 64 MiB, capped by the binding limit), `passes` times per submit. */
export async function measureReadBandwidth(gpu: GpuDevice, bytes = 64 << 20, passes = 4): Promise<number> {
  const size = Math.min(bytes, gpu.limits.maxStorageBufferBindingSize) & ~15;
  const nVec4 = size / 16;
  const src = createTensor(gpu, [nVec4 * 4], 'f32');
  const invocations = READ_WG * Math.min(1024, gpu.limits.maxComputeWorkgroupsPerDimension);
  const dst = createTensor(gpu, [invocations], 'f32');
  const params = new Params().u32(nVec4).u32(invocations).bytes();
  const ms = await timeSteps(gpu, (step) => {
    for (let i = 0; i < passes; i++) {
      step.dispatch(
        { shader: 'probe', entryPoint: 'read_sum', constants: { WG: READ_WG } },
        [src.binding(), dst.binding()],
        params,
        [invocations / READ_WG],
      );
    }
  });
  src.destroy();
  dst.destroy();
  return (size * passes) / (ms * 1e6);
}

/** Microseconds per dispatch: `n` trivial dispatches in one submit, minus one dispatch alone. */
export async function measureDispatchOverhead(gpu: GpuDevice, n = 500): Promise<number> {
  const src = createTensor(gpu, [4], 'f32');
  const dst = createTensor(gpu, [1], 'f32');
  const params = new Params().u32(1).u32(1).bytes();
  const record = (count: number) => (step: GpuStep) => {
    for (let i = 0; i < count; i++) {
      step.dispatch({ shader: 'probe', entryPoint: 'noop' }, [src.binding(), dst.binding()], params, [1]);
    }
  };
  const one = await timeSteps(gpu, record(1));
  const many = await timeSteps(gpu, record(n), { reps: 3 });
  src.destroy();
  dst.destroy();
  return (Math.max(many - one, 0) * 1000) / (n - 1);
}

export type MatmulRecorder = (step: GpuStep, x: Tensor, w: Tensor, y: Tensor) => void;

/** GFLOP/s of a matmul kernel on square f32 problems of size n (Y = X · Wᵀ). */
export async function measureMatmul(gpu: GpuDevice, kernel: MatmulRecorder, n = 512, repsPerSubmit = 4): Promise<number> {
  const x = createTensor(gpu, [n, n], 'f32', new Float32Array(n * n).fill(0.5));
  const w = createTensor(gpu, [n, n], 'f32', new Float32Array(n * n).fill(0.25));
  const y = createTensor(gpu, [n, n], 'f32');
  const ms = await timeSteps(gpu, (step) => {
    for (let i = 0; i < repsPerSubmit; i++) kernel(step, x, w, y);
  });
  [x, w, y].forEach((t) => t.destroy());
  return (2 * n * n * n * repsPerSubmit) / (ms * 1e6);
}
