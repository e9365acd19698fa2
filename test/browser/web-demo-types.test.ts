// The demo pages (web-demo/*.ts) live outside the root tsconfig's include; esbuild bundles
// them without type-checking, so they are checked here under the same strict settings.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';

test('web-demo type-checks (tsc -p web-demo/tsconfig.json)', () => {
  const r = spawnSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'web-demo/tsconfig.json'], { encoding: 'utf8' });
  assert.equal(r.status, 0, r.stdout + r.stderr);
});
