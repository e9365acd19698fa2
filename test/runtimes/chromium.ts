// Runs the kernel suite page (test/runtimes/browser-bundle.ts) in headless Debian Chromium
// through playwright-core, and returns the page's report.
import { chromium, type Browser } from 'playwright-core';
import { buildBrowserBundle, serveSuitePage } from './browser-bundle.ts';
import type { SuiteReport } from './suite-report.ts';

export const CHROMIUM = process.env.BASERT_CHROMIUM ?? '/usr/lib/chromium/chromium';

// Measured on Chromium 156 (Debian), no GPU, no network, running as root in a container.
// Only the first two are needed for an adapter; without either the test fails:
//  - without --enable-unsafe-webgpu: requestAdapter() → null ("No available adapters."),
//    since Linux WebGPU is still behind this flag (and the SwiftShader adapter with it).
//  - without --no-sandbox: Chromium refuses to start as root ("sandboxing failed").
// NOT needed (tried, same adapter either way): --use-angle=swiftshader,
// --enable-features=Vulkan, --use-webgpu-adapter=swiftshader, --disable-gpu-sandbox.
// Chromium's WebGPU ignores the inherited VK_ICD_FILENAMES (lavapipe) and always gets its
// own SwiftShader: vendor "google", architecture "swiftshader", subgroups, no shader-f16.
export const CHROMIUM_ARGS = [
  '--headless', // playwright adds it too with headless: true; explicit for the record
  '--no-sandbox', // root in a container: the setuid/namespace sandbox cannot start
  '--enable-unsafe-webgpu', // WebGPU on Linux (and on a software adapter) is behind this flag
  // Chromium is dropping its silent SwiftShader fallback; this is the documented opt-in.
  // Not needed today for WebGPU (playwright passes it by default anyway).
  '--enable-unsafe-swiftshader',
  // No network beyond 127.0.0.1: nothing phones home, and any lookup fails at once
  // instead of waiting for a DNS timeout on this offline machine.
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--disable-quic',
  '--no-first-run',
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  // The profile: chromium.launch() always uses a fresh temporary --user-data-dir and
  // deletes it on close (it rejects an explicit one), so no state leaks between runs.
];

/** Upper bound for the whole suite in the page (SwiftShader is 5–10x slower than lavapipe). */
export const PAGE_TIMEOUT_MS = Number(process.env.BASERT_RUNTIME_TIMEOUT_MS) || 5 * 60_000;

export interface ChromiumRun {
  report: SuiteReport;
  browserVersion: string;
  /** The page's console output (progress lines), for diagnostics. */
  console: string[];
  ms: number;
}

export async function runSuiteInChromium(): Promise<ChromiumRun> {
  const t0 = performance.now();
  const server = await serveSuitePage(await buildBrowserBundle());
  let browser: Browser | undefined;
  const consoleLines: string[] = [];
  try {
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 60_000 });
    const page = await browser.newPage();
    page.on('console', (m) => consoleLines.push(`[${m.type()}] ${m.text()}`));
    page.on('pageerror', (e) => consoleLines.push(`[pageerror] ${e.message}`));
    await page.goto(server.url);
    const failWith = (why: string) => {
      const tail = consoleLines.filter((l) => !l.includes('BASERT_SUITE_RESULT')).slice(-30).join('\n');
      return new Error(`Chromium ${browser!.version()} at ${server.url}: ${why}\n--- page console (tail) ---\n${tail}`);
    };
    try {
      await page.waitForFunction(() => window.__basertResults ?? window.__basertError, undefined, {
        timeout: PAGE_TIMEOUT_MS,
        polling: 250,
      });
    } catch (e) {
      throw failWith(`no result within ${PAGE_TIMEOUT_MS} ms (${e instanceof Error ? e.message.split('\n')[0] : e})`);
    }
    const { report, error } = await page.evaluate(() => ({ report: window.__basertResults, error: window.__basertError }));
    if (!report) throw failWith(`the suite did not run: ${error}`);
    return { report, browserVersion: browser.version(), console: consoleLines, ms: performance.now() - t0 };
  } finally {
    await browser?.close();
    await server.close();
  }
}
