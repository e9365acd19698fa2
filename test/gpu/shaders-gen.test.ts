// The generated shader module must match shaders/**/*.wgsl, and every shader must
// preprocess (includes resolve, #if blocks balance) for each feature combination.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
// @ts-expect-error plain-JS build script without types
import { generate, OUT } from '../../scripts/gen-shaders.mjs';
import { WGSL } from '../../src/gpu/shaders.gen.ts';
import { preprocessWgsl } from '../../src/gpu/wgsl-preprocess.ts';

test('src/gpu/shaders.gen.ts is up to date with shaders/ (run `npm run gen:shaders`)', () => {
  assert.equal(readFileSync(OUT, 'utf8'), generate());
});

for (const name of Object.keys(WGSL).filter((n) => !n.startsWith('lib/'))) {
  test(`shader ${name} preprocesses with and without F16/SUBGROUPS`, () => {
    for (const F16 of [false, true])
      for (const SUBGROUPS of [false, true]) {
        const code = preprocessWgsl(name, WGSL, { F16, SUBGROUPS });
        assert.doesNotMatch(code, /^\s*#/m, 'no directive left behind');
        assert.match(code, /@compute/);
      }
  });
}
