// Node-side half of the runtime smoke tests: run a child runtime (Bun, Deno) or a browser
// page that executes the kernel suite, parse its one-line JSON report, and turn it into
// node:test subtests — one per kernel case and variant — so the Node runner's summary
// counts every case from every runtime.
import { spawn } from 'node:child_process';
import assert from 'node:assert/strict';
import { before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { kernelSuite } from '../gpu/kernels/suite.ts';
import { RESULT_MARKER, VARIANTS, type SuiteReport } from './suite-report.ts';

/** The repository root: children run there, so relative paths below resolve from it. */
export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** How long one runtime may take for the whole suite (both variants) before it is killed. */
export const RUNTIME_TIMEOUT_MS = Number(process.env.BASERT_RUNTIME_TIMEOUT_MS) || 5 * 60_000;

export interface ChildRun {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Spawns `cmd args` in ROOT with the parent's environment (plus `env`), collecting its output. */
export function runChild(cmd: string, args: string[], env: Record<string, string> = {}): Promise<ChildRun> {
  const t0 = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: RUNTIME_TIMEOUT_MS,
      killSignal: 'SIGKILL',
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, ms: performance.now() - t0 }));
  });
}

function tail(s: string, lines = 30): string {
  return s.trimEnd().split('\n').slice(-lines).join('\n');
}

/** The report from a child's output; throws with the child's stderr tail when there is none. */
export function parseChildReport(run: ChildRun, what: string): SuiteReport {
  const line = run.stdout.split('\n').filter((l) => l.startsWith(RESULT_MARKER)).pop();
  if (!line) {
    const how = run.signal ? `was killed by ${run.signal}` : `exited with code ${run.code}`;
    throw new Error(
      `${what} ${how} after ${Math.round(run.ms)} ms without printing a ${RESULT_MARKER.trim()} line.\n` +
        `--- stdout (tail) ---\n${tail(run.stdout)}\n--- stderr (tail) ---\n${tail(run.stderr)}`,
    );
  }
  return JSON.parse(line.slice(RESULT_MARKER.length)) as SuiteReport;
}

/**
 * Declares the subtests for one runtime. `load` runs once (in a before() hook) and returns
 * the runtime's report; `extra` lines are printed as diagnostics (e.g. the browser version).
 */
export function suiteTests(runtime: string, load: () => Promise<{ report: SuiteReport; extra?: string[] }>): void {
  describe(`kernel suite on ${runtime}`, () => {
    let report: SuiteReport;
    let extra: string[] = [];
    // A runtime that never reports fails every test below (a throwing hook would only
    // mark them "cancelled"): the first test carries the full reason, the rest point to it.
    let loadError: unknown;
    const ran = () => {
      if (loadError) assert.fail(`${runtime} did not run the suite; see 'runtime, adapter and features'`);
    };
    before(
      async () => {
        try {
          ({ report, extra = [] } = await load());
        } catch (e) {
          loadError = e ?? new Error('unknown error');
        }
      },
      { timeout: RUNTIME_TIMEOUT_MS + 60_000 },
    );

    test('runtime, adapter and features', (t) => {
      if (loadError) throw loadError;
      t.diagnostic(`${report.runtime.name} ${report.runtime.version}${report.runtime.detail ? ` (${report.runtime.detail})` : ''}`);
      for (const line of extra) t.diagnostic(line);
      for (const v of report.variants) {
        if (v.error) {
          t.diagnostic(`[${v.label}] no device: ${v.error}`);
          continue;
        }
        const a = v.adapter!;
        t.diagnostic(
          `[${v.label}] adapter: ${a.description || '(no description)'} vendor=${a.vendor} arch=${a.architecture} ` +
            `fallback=${a.isFallback}; features: ${v.deviceFeatures!.join(', ')}; ` +
            `maxStorageBufferBindingSize=${v.maxStorageBufferBindingSize}; suite ${Math.round(v.ms)} ms`,
        );
      }
      t.diagnostic(`whole run ${Math.round(report.ms)} ms`);
      assert.equal(report.cases, kernelSuite.length, `${runtime} saw a different kernelSuite`);
      for (const v of report.variants) assert.ok(!v.error, `${runtime} [${v.label}] got no device: ${v.error}`);
    });

    for (const [label] of VARIANTS) {
      describe(`kernels (${label})`, () => {
        kernelSuite.forEach((c, i) => {
          test(c.name, (t) => {
            ran();
            const v = report.variants.find((x) => x.label === label);
            assert.ok(v, `${runtime} reported no '${label}' variant`);
            assert.ok(!v.error, `${runtime} [${label}] got no device; see 'runtime, adapter and features'`);
            const r = v.results[i];
            assert.ok(r, `${runtime} [${label}] ran only ${v.results.length} of ${kernelSuite.length} cases`);
            assert.equal(r.name, c.name, `${runtime} [${label}] case #${i} is named differently`);
            if (r.status === 'skip') return t.skip(r.detail);
            if (r.status === 'fail') assert.fail(`${runtime} [${label}] ${r.detail}`);
            if (r.detail) t.diagnostic(r.detail);
          });
        });

        test(`all ${kernelSuite.length} cases ran, none failed`, (t) => {
          ran();
          const v = report.variants.find((x) => x.label === label);
          assert.ok(v && !v.error, `${runtime} [${label}] got no device; see 'runtime, adapter and features'`);
          const by = (s: string) => v.results.filter((r) => r.status === s);
          const skips = by('skip');
          t.diagnostic(`${runtime} [${label}]: ${by('pass').length} pass, ${by('fail').length} fail, ${skips.length} skip, ${Math.round(v.ms)} ms`);
          for (const s of skips) t.diagnostic(`skipped ${s.name}: ${s.detail}`);
          assert.ok(v.results.length >= kernelSuite.length, `ran ${v.results.length} < ${kernelSuite.length} cases`);
          assert.deepEqual(by('fail').map((r) => `${r.name}: ${r.detail}`), []);
        });
      });
    }
  });
}
