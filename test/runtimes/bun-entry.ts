// Kernel conformance suite under Bun (Dawn through the `webgpu` addon, as on Node).
// Prints progress on stderr and ONE `BASERT_SUITE_RESULT {json}` line on stdout, which
// test/runtimes/bun.test.ts parses. Run: bun test/runtimes/bun-entry.ts
import { findBunGpu } from '../../runtimes/bun/gpu.ts';
import { kernelSuite } from '../gpu/kernels/suite.ts';
import { formatReport, reportOk, runSuiteReport } from './suite-report.ts';

declare const Bun: { version: string; revision: string };

const report = await runSuiteReport(
  await findBunGpu(),
  { name: 'bun', version: Bun.version, detail: `revision ${Bun.revision}` },
  kernelSuite,
  (line) => console.error(line),
);
console.log(formatReport(report));
process.exitCode = reportOk(report) ? 0 : 1;
