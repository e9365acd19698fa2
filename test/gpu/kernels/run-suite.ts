// Runs the kernel suite outside Node's test runner (Bun, Deno, Chromium entries) and
// returns one plain result per case, which the Node-side smoke tests assert on.
import type { GpuDevice } from '../../../src/gpu/device.ts';
import type { KernelCase } from './case.ts';

export interface CaseResult {
  name: string;
  status: 'pass' | 'fail' | 'skip';
  detail?: string;
  ms: number;
}

export async function runSuite(gpu: GpuDevice, cases: KernelCase[], log: (line: string) => void = () => {}): Promise<CaseResult[]> {
  const results: CaseResult[] = [];
  for (const c of cases) {
    const t0 = performance.now();
    const skip = c.skip?.(gpu);
    if (skip) {
      results.push({ name: c.name, status: 'skip', detail: skip, ms: 0 });
      log(`skip ${c.name}: ${skip}`);
      continue;
    }
    try {
      const note = await c.run(gpu);
      await gpu.device.queue.onSubmittedWorkDone();
      gpu.assertNoErrors(c.name);
      results.push({ name: c.name, status: 'pass', detail: note || undefined, ms: performance.now() - t0 });
      log(`pass ${c.name}`);
    } catch (e) {
      const detail = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
      results.push({ name: c.name, status: 'fail', detail, ms: performance.now() - t0 });
      log(`FAIL ${c.name}: ${detail}`);
    }
  }
  return results;
}
