// Kernel conformance suite under Deno (its built-in wgpu WebGPU, navigator.gpu).
// Prints progress on stderr and ONE `BASERT_SUITE_RESULT {json}` line on stdout, which
// test/runtimes/deno.test.ts parses. Run: deno run -A --no-check test/runtimes/deno-entry.ts
import { denoGpu } from '../../runtimes/deno/gpu.ts';
import { kernelSuite } from '../gpu/kernels/suite.ts';
import { formatReport, reportOk, runSuiteReport } from './suite-report.ts';

// Deno's globals are not in this repo's tsc lib set (DOM + node); declare what we use.
declare const Deno: { version: { deno: string; v8: string }; exit(code: number): never };

const report = await runSuiteReport(
  denoGpu(),
  { name: 'deno', version: Deno.version.deno, detail: `v8 ${Deno.version.v8}` },
  kernelSuite,
  (line) => console.error(line),
);
console.log(formatReport(report));
// Exit explicitly: a lingering wgpu instance must not keep the process alive.
Deno.exit(reportOk(report) ? 0 : 1);
