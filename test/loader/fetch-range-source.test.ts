// fetchRangeSource against a real HTTP server on 127.0.0.1 (the path browsers and Deno
// use to read a model without downloading it whole), and the Deno file source under Deno.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { fetchRangeSource } from '../../src/loader/byte-source.ts';

const data = Uint8Array.from({ length: 100_000 }, (_, i) => (i * 7) & 255);
let server: Server;
let base = '';
const ranges: string[] = [];

before(async () => {
  server = createServer((req, res) => {
    if (req.url === '/missing') return res.writeHead(404).end();
    const honourRange = req.url !== '/no-range';
    if (req.method === 'HEAD') return res.writeHead(200, { 'content-length': data.length }).end();
    const m = /bytes=(\d+)-(\d+)/.exec(req.headers.range ?? '');
    if (m && honourRange) {
      ranges.push(req.headers.range!);
      const [s, e] = [Number(m[1]), Number(m[2])];
      res.writeHead(206, { 'content-range': `bytes ${s}-${e}/${data.length}`, 'content-length': e - s + 1 });
      return res.end(data.subarray(s, e + 1));
    }
    res.writeHead(200, { 'content-length': data.length }).end(data);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
});
after(() => server.close());

test('fetchRangeSource reads exactly the requested ranges', async () => {
  const src = await fetchRangeSource(`${base}/model.gguf`);
  assert.equal(src.size, data.length);
  ranges.length = 0;
  assert.deepEqual([...(await src.read(10, 5))], [...data.subarray(10, 15)]);
  assert.deepEqual([...(await src.read(99_990, 100))], [...data.subarray(99_990)], 'clipped at the end');
  assert.deepEqual(ranges, ['bytes=10-14', 'bytes=99990-99999']);
});

test('fetchRangeSource: 404 and servers that ignore Range are clear errors', async () => {
  await assert.rejects(fetchRangeSource(`${base}/missing`), /missing: HTTP 404/);
  const src = await fetchRangeSource(`${base}/no-range`);
  await assert.rejects(src.read(0, 10), /expected 206 Partial Content/);
});

test('Deno file source reads ranges under Deno', () => {
  const dir = mkdtempSync(join(tmpdir(), 'basert-deno-src-'));
  const file = join(dir, 'blob.bin');
  writeFileSync(file, data);
  const script = join(dir, 'check.ts');
  writeFileSync(
    script,
    `import { openDenoFileSource } from ${JSON.stringify(join(process.cwd(), 'runtimes/deno/file-source.ts'))};
const s = await openDenoFileSource(${JSON.stringify(file)});
const [a, b] = await Promise.all([s.read(3, 4), s.read(99_998, 10)]);
console.log(JSON.stringify({ size: s.size, a: [...a], b: [...b] }));
await s.close();`,
  );
  const r = spawnSync('node_modules/.bin/deno', ['run', '-A', '--no-check', '--no-remote', '--no-npm', '--no-lock', script], {
    encoding: 'utf8',
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1' },
  });
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout.trim());
  assert.equal(out.size, data.length);
  assert.deepEqual(out.a, [...data.subarray(3, 7)]);
  assert.deepEqual(out.b, [...data.subarray(99_998)]);
});
