import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createTerminalProgress } from '../../../runtimes/node/hub-progress.ts';
import { formatBytes, formatProgressLine, type HubProgressEvent } from '../../../src/loader/hub/index.ts';

const ev = (phase: HubProgressEvent['phase'], bytesDone: number, extra: Partial<HubProgressEvent> = {}): HubProgressEvent => ({
  repo: 'o/r', path: 'Q4/m-Q4_K_M.gguf', phase, bytesDone, bytesTotal: 400_000_000, fileIndex: 2, fileCount: 3, ...extra,
});

test('formatBytes uses decimal units', () => {
  const cases: [number, string][] = [[0, '0 B'], [999, '999 B'], [1000, '1.00 kB'], [48_000, '48.0 kB'], [378_000_000, '378 MB'], [5.2e9, '5.20 GB']];
  for (const [n, s] of cases) assert.equal(formatBytes(n), s);
});

test('formatProgressLine: counter, bar, percent, sizes, rate', () => {
  assert.equal(
    formatProgressLine(ev('download', 100_000_000), 12_500_000, 8),
    '[2/3] m-Q4_K_M.gguf  [##······]  25%  100 MB / 400 MB  12.5 MB/s',
  );
  assert.equal(formatProgressLine(ev('verify', 0, { fileCount: 1 }), undefined, 0), 'm-Q4_K_M.gguf   0%  0 B / 400 MB  checking partial download');
});

test('terminal progress: redraws on a TTY, one line per file otherwise', () => {
  let clock = 0;
  const tty: string[] = [];
  const onTty = createTerminalProgress({ isTTY: true, columns: 200, write: (t) => tty.push(t) }, () => clock);
  onTty(ev('download', 0));
  clock = 50;
  onTty(ev('download', 1_000)); // within 100 ms: skipped
  clock = 1000;
  onTty(ev('download', 200_000_000));
  onTty(ev('done', 400_000_000));
  assert.equal(tty.length, 3);
  assert.match(tty[1], /^\r\[2\/3\] m-Q4_K_M\.gguf .* 50%  200 MB \/ 400 MB  200 MB\/s\x1b\[K$/);
  assert.match(tty[2], /100% .*\n$/);

  const log: string[] = [];
  const onLog = createTerminalProgress({ write: (t) => log.push(t) });
  for (const e of [ev('cached', 1), ev('download', 5), ev('done', 400_000_000)]) onLog(e);
  assert.deepEqual(log, ['downloaded o/r/Q4/m-Q4_K_M.gguf (400 MB)\n']);
});
