// Smoke test: the kernel conformance suite under Bun (the same Dawn addon as Node).
// Bun runs test/runtimes/bun-entry.ts as a child with this process's environment (so the
// software-GPU variables set up by scripts/with-gpu.mjs reach Dawn).
import { join } from 'node:path';
import { parseChildReport, ROOT, runChild, suiteTests } from './smoke.ts';

const BUN = join(ROOT, 'node_modules/.bin/bun'); // the devDependency, not a system bun

suiteTests('bun', async () => {
  // --no-install: never auto-install from the npm registry; everything is in node_modules.
  const run = await runChild(BUN, ['--no-install', 'test/runtimes/bun-entry.ts'], { DO_NOT_TRACK: '1' });
  return { report: parseChildReport(run, 'bun'), extra: [`child wall time ${Math.round(run.ms)} ms`] };
});
