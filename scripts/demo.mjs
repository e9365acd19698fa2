#!/usr/bin/env node
// `npm run demo`: builds the browser bundles (scripts/build-web.mjs) and serves the web demo
// on 127.0.0.1 with the tiny random-weight Qwen3 of the test suite (Q8_0 GGUF, real
// tokenizer and chat template; gibberish answers) offered through a small stand-in for the
// Hugging Face hub on the same origin, so the tab checks the hub-reported size and SHA-256
// as it would for a real model. Open the printed URL in Chrome/Edge (WebGPU).
//
//   npm run demo [-- --port 8090] [--model ./other.gguf]
//
// Needs tsx (it generates the test model with the project's TypeScript on first run):
// the npm script runs `node --import tsx scripts/demo.mjs`.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import { basename, extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWeb, WEB_OUT } from './build-web.mjs';

export const DEMO_REPO = 'basert/tiny-qwen3-GGUF';
/** The stand-in hub's one commit (any 40 hex digits). */
const COMMIT = '0123456789abcdef0123456789abcdef01234567';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8',
  '.json': 'application/json', '.map': 'application/json', '.svg': 'image/svg+xml',
};

async function sha256Of(path) {
  const h = createHash('sha256');
  for await (const chunk of createReadStream(path)) h.update(chunk);
  return h.digest('hex');
}

/** Answers HEAD, GET and single-range GET (what fetchRangeSource and downloads send). */
function sendFile(req, res, path, size) {
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range ?? '');
  const headers = { 'content-type': 'application/octet-stream', 'accept-ranges': 'bytes', 'cache-control': 'no-store' };
  if (range) {
    const start = Number(range[1]);
    const end = Math.min(range[2] ? Number(range[2]) : size - 1, size - 1);
    if (start > end) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return res.end();
    }
    res.writeHead(206, { ...headers, 'content-length': end - start + 1, 'content-range': `bytes ${start}-${end}/${size}` });
    return req.method === 'HEAD' ? res.end() : createReadStream(path, { start, end }).pipe(res);
  }
  res.writeHead(200, { ...headers, 'content-length': size });
  return req.method === 'HEAD' ? res.end() : createReadStream(path).pipe(res);
}

/**
 * Serves `webDir` at / and the model: /models/manifest.json names it by hub id, and
 * /hub/api/models/<repo>/revision/<rev> and /hub/<repo>/resolve/<commit>/<file> answer
 * as the hub does; `extraModels` are more manifest entries. `requests` records every
 * request path (tests count downloads). `model.url` is the file's resolve URL path.
 */
export async function startDemoServer({ modelPath, webDir = WEB_OUT, port = 0, host = '127.0.0.1', modelId = 'tiny-qwen3', extraModels = [] }) {
  const file = basename(modelPath);
  const size = (await stat(modelPath)).size;
  const sha256 = await sha256Of(modelPath);
  const quant = /-([A-Za-z0-9_]+)\.gguf$/.exec(file)?.[1];
  const manifest = { models: [{ id: modelId, hub: `${DEMO_REPO}${quant ? `:${quant}` : ''}`, endpoint: '/hub', description: 'tiny random-weight Qwen3 (gibberish answers)' }, ...extraModels] };
  const listing = { id: DEMO_REPO, sha: COMMIT, siblings: [{ rfilename: file, size, blobId: sha256.slice(0, 40), lfs: { sha256, size, pointerSize: 134 } }] };
  const requests = [];
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    requests.push(`${req.method} ${path}${req.headers.range ? ` ${req.headers.range}` : ''}`);
    const json = (status, body) => {
      res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
      res.end(JSON.stringify(body));
    };
    try {
      if (path === '/models/manifest.json') return json(200, manifest);
      if (path === `/hub/api/models/${DEMO_REPO}/revision/main`) return json(200, listing);
      if (path === `/hub/${DEMO_REPO}/resolve/${COMMIT}/${file}` || path === `/hub/${DEMO_REPO}/resolve/main/${file}`) return sendFile(req, res, modelPath, size);
      if (path.startsWith('/hub/')) return json(404, { error: 'Entry not found' });
      const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
      const full = join(webDir, rel);
      if (!full.startsWith(webDir)) return json(403, { error: 'forbidden' });
      const body = await readFile(full).catch(() => null);
      if (!body) return json(404, { error: `not found: ${path}` });
      res.writeHead(200, { 'content-type': TYPES[extname(full)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch (e) {
      if (!res.headersSent) json(500, { error: String(e) });
      else res.destroy();
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, resolve);
  });
  const bound = server.address().port;
  return {
    url: `http://${host}:${bound}/`,
    model: { id: modelId, file, size, sha256, url: `/hub/${DEMO_REPO}/resolve/${COMMIT}/${file}` },
    requests,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function flag(name) {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildWeb();
  let modelPath = flag('model');
  if (!modelPath) {
    const { testModel } = await import('../test/helpers/test-models.ts');
    modelPath = await testModel('tiny-qwen3', 'q8_0');
  }
  const srv = await startDemoServer({ modelPath, port: Number(flag('port') ?? 8090) });
  console.log([
    `basert web demo: ${srv.url}`,
    `  raw API page:  ${srv.url}api.html`,
    `  model:         ${srv.model.id} (${srv.model.file}, ${(srv.model.size / 2 ** 20).toFixed(1)} MiB, sha256 ${srv.model.sha256.slice(0, 12)}…)`,
    `  open it in Chrome or Edge 113+ (WebGPU; on Linux start Chromium with --enable-unsafe-webgpu). Ctrl-C stops.`,
    `  options: ?relay=1 runs the engine in the page's worker; ?disable=shader-f16 tries the f32 paths.`,
  ].join('\n'));
}
