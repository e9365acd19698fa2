// Runs the kernel conformance suite the way every non-Node runtime entry (Bun, Deno,
// Chromium) does — once on a device with every feature the adapter has, once with
// shader-f16 and subgroups disabled — and packs the outcome into one JSON report that the
// Node-side smoke tests parse. Runtime-agnostic: no node:*, Deno or Bun here (it is also
// bundled for the browser).
import { acquireDevice, type AcquireOptions, type AdapterSummary, type GpuDevice, type GpuFeatures } from '../../src/gpu/device.ts';
import type { KernelCase } from '../gpu/kernels/case.ts';
import { runSuite, type CaseResult } from '../gpu/kernels/run-suite.ts';

/** Prefix of the single stdout line (or console message) that carries the report. */
export const RESULT_MARKER = 'BASERT_SUITE_RESULT ';

export interface RuntimeInfo {
  /** 'bun' | 'deno' | 'chromium' … */
  name: string;
  version: string;
  /** Anything else worth printing (user agent, v8 version). */
  detail?: string;
}

export interface VariantReport {
  label: string;
  disable: string[];
  adapter?: AdapterSummary;
  features?: GpuFeatures;
  /** Every feature the device was created with (what the adapter offered, minus `disable`). */
  deviceFeatures?: string[];
  maxStorageBufferBindingSize?: number;
  results: CaseResult[];
  /** Set when no device could be acquired: the variant ran nothing. */
  error?: string;
  ms: number;
}

export interface SuiteReport {
  runtime: RuntimeInfo;
  /** kernelSuite.length as the runtime saw it. */
  cases: number;
  variants: VariantReport[];
  ms: number;
}

export const VARIANTS: [string, AcquireOptions][] = [
  ['all features', {}],
  ['no f16, no subgroups', { disable: ['shader-f16', 'subgroups'] }],
];

function errText(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}` : String(e);
}

/**
 * Wraps each case so that GPU validation errors raised while it ran (which WebGPU reports
 * asynchronously as `uncapturederror`, e.g. a WGSL construct one compiler rejects) fail
 * that case with the compiler's message instead of a bare numeric mismatch.
 */
function withErrorScope(cases: KernelCase[], errors: string[]): KernelCase[] {
  return cases.map((c) => ({
    ...c,
    async run(gpu: GpuDevice) {
      const first = errors.length;
      const fail = (what: string) => `${what}; GPU errors: ${errors.slice(first).join(' | ')}`;
      let note: string | void;
      try {
        note = await c.run(gpu);
        await gpu.device.queue.onSubmittedWorkDone();
      } catch (e) {
        if (errors.length > first) throw new Error(fail(errText(e)));
        throw e;
      }
      if (errors.length > first) throw new Error(fail('case passed but the device reported errors'));
      return note;
    },
  }));
}

export async function runSuiteReport(
  gpu: GPU | undefined,
  runtime: RuntimeInfo,
  cases: KernelCase[],
  log: (line: string) => void = () => {},
): Promise<SuiteReport> {
  const t0 = performance.now();
  const variants: VariantReport[] = [];
  for (const [label, opts] of VARIANTS) {
    const v0 = performance.now();
    const disable = opts.disable ?? [];
    let dev: GpuDevice;
    try {
      dev = await acquireDevice(gpu, opts);
    } catch (e) {
      variants.push({ label, disable, results: [], error: errText(e), ms: performance.now() - v0 });
      log(`no device (${label}): ${errText(e)}`);
      continue;
    }
    const errors: string[] = [];
    dev.device.addEventListener?.('uncapturederror', (ev) => {
      errors.push((ev as GPUUncapturedErrorEvent).error.message.slice(0, 2000));
    });
    log(`device (${label}): ${dev.adapter.description || dev.adapter.architecture} ${JSON.stringify(dev.features)}`);
    const results = await runSuite(dev, withErrorScope(cases, errors), (l) => log(`[${label}] ${l}`));
    variants.push({
      label,
      disable,
      adapter: dev.adapter,
      features: dev.features,
      deviceFeatures: [...dev.device.features].map(String).sort(),
      maxStorageBufferBindingSize: dev.limits.maxStorageBufferBindingSize,
      results,
      ms: performance.now() - v0,
    });
    dev.destroy();
  }
  return { runtime, cases: cases.length, variants, ms: performance.now() - t0 };
}

/** True when every variant got a device and no case failed. */
export function reportOk(r: SuiteReport): boolean {
  return r.variants.every((v) => !v.error && v.results.every((c) => c.status !== 'fail'));
}

export function formatReport(r: SuiteReport): string {
  return RESULT_MARKER + JSON.stringify(r);
}
