// Smoke test: the kernel conformance suite under Deno (its built-in wgpu WebGPU).
// Deno runs test/runtimes/deno-entry.ts as a child with this process's environment (so
// VK_ICD_FILENAMES from scripts/with-gpu.mjs reaches wgpu). wgpu offers no `subgroups`
// feature on lavapipe, so there the "all features" variant already takes the fallback path.
import { join } from 'node:path';
import { parseChildReport, ROOT, runChild, suiteTests } from './smoke.ts';

const DENO = join(ROOT, 'node_modules/.bin/deno'); // the devDependency, not a system deno
// Resolve nothing remote: the entry imports only relative .ts files. --no-remote/--no-npm
// refuse http(s)/jsr and npm: specifiers, --cached-only forbids any download, --no-lock
// keeps Deno from writing a deno.lock, --no-check skips type-checking (tsc covers that).
const FLAGS = ['run', '-A', '--no-check', '--no-remote', '--no-npm', '--cached-only', '--no-lock'];

suiteTests('deno', async () => {
  const run = await runChild(DENO, [...FLAGS, 'test/runtimes/deno-entry.ts'], {
    DENO_NO_UPDATE_CHECK: '1', // no version check against dl.deno.land
    DENO_NO_PROMPT: '1',
    NO_COLOR: '1',
  });
  return { report: parseChildReport(run, 'deno'), extra: [`child wall time ${Math.round(run.ms)} ms`] };
});
