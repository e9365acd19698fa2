// The whole tree type-checks under strict TypeScript (tsconfig.json), and src/ stays
// free of runtime imports so it runs unchanged on Node, Bun, Deno and in browsers.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';

test('tsc --strict passes', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});

test('src/ imports no runtime module (node:*, bun, Deno)', () => {
  const walk = (d: string): string[] =>
    readdirSync(d, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(d, e.name)) : [join(d, e.name)]));
  const offenders = walk('src').filter((f) => /\.ts$/.test(f) && /from ['"](node:|bun['"])|\bDeno\.|\bBun\./.test(readFileSync(f, 'utf8')));
  assert.deepEqual(offenders, []);
});
