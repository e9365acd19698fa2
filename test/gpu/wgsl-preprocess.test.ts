import assert from 'node:assert/strict';
import { test } from 'node:test';
import { preprocessWgsl, WgslPreprocessError } from '../../src/gpu/wgsl-preprocess.ts';

const norm = (s: string) => s.split('\n').map((l) => l.trim()).filter(Boolean).join('\n');

const cases: Record<string, { src: Record<string, string>; defines?: Record<string, string | number | boolean>; want: string }> = {
  'ifdef taken': { src: { m: '#ifdef A\na\n#else\nb\n#endif' }, defines: { A: true }, want: 'a' },
  'ifdef not taken': { src: { m: '#ifdef A\na\n#else\nb\n#endif' }, want: 'b' },
  'false define is undefined': { src: { m: '#ifdef A\na\n#endif\nc' }, defines: { A: false }, want: 'c' },
  ifndef: { src: { m: '#ifndef A\na\n#endif' }, want: 'a' },
  'nested in dead branch stays dead': { src: { m: '#ifdef A\n#ifdef B\nx\n#else\ny\n#endif\n#endif\nz' }, defines: { B: true }, want: 'z' },
  'value substitution is whole-word': { src: { m: 'let x = TILE; let TILES = 1;' }, defines: { TILE: 16 }, want: 'let x = 16; let TILES = 1;' },
  'in-file define': { src: { m: '#define N 4\nvar a: array<f32, N>;' }, want: 'var a: array<f32, 4>;' },
  'caller define wins over in-file define': { src: { m: '#define N 4\nN' }, defines: { N: 8 }, want: '8' },
  'empty define vanishes': { src: { m: '#define ARGS\nfn f(a: u32 ARGS)' }, want: 'fn f(a: u32 )' },
  'include once': { src: { m: '#include "lib/x.wgsl"\n#include "lib/x"\nm', 'lib/x': 'x' }, want: 'x\nm' },
  'enable hoisted': { src: { m: '#include "lib/e"\nfn f() {}', 'lib/e': 'fn g() {}\nenable f16;' }, want: 'enable f16;\nfn g() {}\nfn f() {}' },
};

for (const [name, c] of Object.entries(cases)) {
  test(`wgsl preprocess: ${name}`, () => {
    assert.equal(norm(preprocessWgsl('m', c.src, c.defines)), norm(c.want));
  });
}

test('wgsl preprocess: errors name the file and line', () => {
  assert.throws(() => preprocessWgsl('m', { m: 'a\n#endif' }), (e: Error) => e instanceof WgslPreprocessError && /m\.wgsl:2/.test(e.message));
  assert.throws(() => preprocessWgsl('m', { m: '#ifdef A\na' }), /missing #endif/);
  assert.throws(() => preprocessWgsl('m', { m: '#include "nope"' }), /"nope" not found/);
  assert.throws(() => preprocessWgsl('m', { m: '#pragma x' }), /unknown directive/);
});
