// Text for download progress, shared by the runtimes' progress writers.
import type { HubProgressEvent } from './types.ts';

const UNITS = ['B', 'kB', 'MB', 'GB', 'TB'];

/** Decimal units, as the hub's web pages show sizes: 1.2 GB, 950 kB, 12 B. */
export function formatBytes(n: number): string {
  let i = 0;
  while (n >= 1000 && i < UNITS.length - 1) {
    n /= 1000;
    i++;
  }
  return i === 0 ? `${n} B` : `${n < 10 ? n.toFixed(2) : n < 100 ? n.toFixed(1) : n.toFixed(0)} ${UNITS[i]}`;
}

/**
 * One status line: `[2/3] model-Q4_K_M.gguf  [#######·········]  45%  170 MB / 378 MB  12.5 MB/s`.
 * `bytesPerSec` is the caller's measure; `barWidth` 0 leaves the bar out.
 */
export function formatProgressLine(e: HubProgressEvent, bytesPerSec?: number, barWidth = 24): string {
  const name = e.path.slice(e.path.lastIndexOf('/') + 1);
  const counter = e.fileCount > 1 ? `[${e.fileIndex}/${e.fileCount}] ` : '';
  const frac = e.bytesTotal > 0 ? Math.min(1, e.bytesDone / e.bytesTotal) : 1;
  const filled = Math.round(frac * barWidth);
  const bar = barWidth > 0 ? `  [${'#'.repeat(filled)}${'·'.repeat(barWidth - filled)}]` : '';
  const pct = `${Math.floor(frac * 100)}%`.padStart(4);
  const what = e.phase === 'verify' ? '  checking partial download' : '';
  const rate = bytesPerSec !== undefined && e.phase === 'download' ? `  ${formatBytes(Math.round(bytesPerSec))}/s` : '';
  return `${counter}${name}${bar} ${pct}  ${formatBytes(e.bytesDone)} / ${formatBytes(e.bytesTotal)}${rate}${what}`;
}
