// Download progress on stderr: a redrawn bar on a terminal, one line per finished file
// otherwise (logs, CI, pipes).
import type { HubProgressEvent } from '../../src/loader/hub/index.ts';
import { formatBytes, formatProgressLine } from '../../src/loader/hub/index.ts';

export interface ProgressStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

const REDRAW_MS = 100;

export function createTerminalProgress(stream: ProgressStream = process.stderr, now = () => performance.now()) {
  let lastDraw = -Infinity;
  let start = { path: '', time: 0, bytes: 0 };
  return (e: HubProgressEvent): void => {
    if (e.phase === 'cached') return;
    if (!stream.isTTY) {
      if (e.phase === 'done') stream.write(`downloaded ${e.repo}/${e.path} (${formatBytes(e.bytesTotal)})\n`);
      return;
    }
    const t = now();
    if (e.phase === 'download' && start.path !== e.path) start = { path: e.path, time: t, bytes: e.bytesDone };
    if (e.phase !== 'done' && t - lastDraw < REDRAW_MS) return;
    lastDraw = t;
    const seconds = (t - start.time) / 1000;
    const rate = seconds > 0.5 ? (e.bytesDone - start.bytes) / seconds : undefined;
    const line = formatProgressLine(e, rate).slice(0, Math.max(20, (stream.columns ?? 100) - 1));
    stream.write(`\r${line}\x1b[K${e.phase === 'done' ? '\n' : ''}`);
    if (e.phase === 'done') start = { path: '', time: 0, bytes: 0 };
  };
}
