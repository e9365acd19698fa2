// Kernel conformance suite in a browser tab (navigator.gpu). Bundled by esbuild
// (test/runtimes/browser-bundle.ts) and loaded from a page on 127.0.0.1. Shows progress and
// a result table on the page, sets window.__basertResults to the report and logs it as one
// `BASERT_SUITE_RESULT {json}` console line; test/runtimes/chromium.test.ts reads it.
import { browserGpu, browserGpuMissingReason } from '../../runtimes/browser/gpu.ts';
import { kernelSuite } from '../gpu/kernels/suite.ts';
import { formatReport, reportOk, runSuiteReport, type SuiteReport } from './suite-report.ts';

declare global {
  interface Window {
    __basertResults?: SuiteReport;
    /** Set by the page (or here) when the suite could not run at all. */
    __basertError?: string;
  }
}

const logEl = document.getElementById('log') as HTMLPreElement;
const statusEl = document.getElementById('status') as HTMLElement;

function log(line: string): void {
  logEl.textContent += line + '\n';
  console.log(line);
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (ch) => `&#${ch.charCodeAt(0)};`);
}

/** One row per case, one column per variant: the page is the debugging view. */
function render(report: SuiteReport): void {
  const head = report.variants.map((v) => `<th>${esc(v.label)}<br><small>${esc(v.error ?? JSON.stringify(v.features))}</small></th>`);
  const rows = kernelSuite.map((c, i) => {
    const cells = report.variants.map((v) => {
      const r = v.results[i];
      if (!r) return '<td class="fail">not run</td>';
      return `<td class="${r.status}" title="${esc(r.detail ?? '')}">${r.status} ${r.ms.toFixed(1)} ms<br><small>${esc(r.detail ?? '')}</small></td>`;
    });
    return `<tr><td>${esc(c.name)}</td>${cells.join('')}</tr>`;
  });
  const adapter = report.variants.find((v) => v.adapter)?.adapter;
  document.getElementById('summary')!.textContent =
    `${report.runtime.name} ${report.runtime.version} — adapter: ${adapter ? JSON.stringify(adapter) : 'none'} — ${Math.round(report.ms)} ms`;
  document.getElementById('results')!.innerHTML = `<table><tr><th>case</th>${head.join('')}</tr>${rows.join('')}</table>`;
}

async function main(): Promise<void> {
  const gpu = browserGpu();
  const missing = browserGpuMissingReason();
  if (missing) log(`navigator.gpu unavailable: ${missing}`);
  const ua = navigator.userAgent;
  const version = /(?:Chrome|Chromium|Firefox|Version)\/([\d.]+)/.exec(ua)?.[1] ?? 'unknown';
  const report = await runSuiteReport(
    gpu,
    { name: 'browser', version, detail: missing ? `${ua}; ${missing}` : ua },
    kernelSuite,
    log,
  );
  render(report);
  statusEl.textContent = reportOk(report) ? 'PASS' : 'FAIL';
  statusEl.className = reportOk(report) ? 'pass' : 'fail';
  window.__basertResults = report;
  console.log(formatReport(report));
}

main().catch((e: unknown) => {
  const msg = e instanceof Error ? `${e.name}: ${e.message}\n${e.stack ?? ''}` : String(e);
  log(`suite crashed: ${msg}`);
  statusEl.textContent = 'CRASHED';
  window.__basertError = msg;
});
