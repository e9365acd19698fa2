// Smoke test: the kernel conformance suite in headless Chromium (WebGPU on its SwiftShader
// Vulkan driver), loading the esbuild bundle from a page on 127.0.0.1. No adapter = the
// test fails with Chromium's reason (see CHROMIUM_ARGS in ./chromium.ts); it never skips.
import { runSuiteInChromium } from './chromium.ts';
import { suiteTests } from './smoke.ts';

suiteTests('chromium', async () => {
  const run = await runSuiteInChromium();
  const noise = /BASERT_SUITE_RESULT|^\[log\] (\[[^\]]*\] )?pass /;
  return {
    report: run.report,
    extra: [
      `browser ${run.browserVersion}; page wall time ${Math.round(run.ms)} ms (bundle, launch, both variants)`,
      ...run.console.filter((l) => !noise.test(l)).slice(0, 20).map((l) => `page: ${l}`),
    ],
  };
});
