// Builds test/runtimes/browser-entry.ts with esbuild (in memory) and serves it from a page
// on 127.0.0.1 — a secure context, so navigator.gpu is exposed without https.
//
// For debugging in a real browser:
//   node --import tsx test/runtimes/browser-bundle.ts [port]
// then open the printed URL (Chrome/Edge with WebGPU); the page shows the result table.
import { build } from 'esbuild';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

const ENTRY = fileURLToPath(new URL('./browser-entry.ts', import.meta.url));

/** The suite as one ES module (with an inline source map for readable stacks in devtools). */
export async function buildBrowserBundle(): Promise<string> {
  const out = await build({
    entryPoints: [ENTRY],
    bundle: true,
    format: 'esm',
    platform: 'browser', // a node:* import anywhere in the suite fails the build, loudly
    target: 'es2022',
    sourcemap: 'inline',
    write: false,
    logLevel: 'silent',
  });
  return out.outputFiles[0]!.text;
}

const PAGE = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>basert kernel suite</title>
<style>
  body { font: 13px system-ui, sans-serif; margin: 1em; }
  table { border-collapse: collapse; } td, th { border: 1px solid #ccc; padding: 2px 6px; text-align: left; vertical-align: top; }
  .pass { background: #e6ffe6; } .fail { background: #ffe0e0; } .skip { background: #f3f3f3; }
  pre { max-height: 20em; overflow: auto; background: #fafafa; }
</style>
<script>
  // Errors before or outside the suite (bundle failed to load or parse) end the wait too.
  addEventListener('error', (e) => { window.__basertError ??= String(e.message || e); });
</script>
</head><body>
<h1>basert kernel suite <span id="status">running…</span></h1>
<p id="summary"></p>
<div id="results"></div>
<pre id="log"></pre>
<script type="module" src="/suite.js" onerror="window.__basertError = 'could not load /suite.js'"></script>
</body></html>`;

export interface SuiteServer {
  url: string;
  close(): Promise<void>;
}

/** Serves the page at / and the bundle at /suite.js on 127.0.0.1 (port 0 = a free one). */
export async function serveSuitePage(bundle: string, port = 0): Promise<SuiteServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' });
      res.end(body);
    };
    if (path === '/' || path === '/index.html') send(200, 'text/html; charset=utf-8', PAGE);
    else if (path === '/suite.js') send(200, 'text/javascript; charset=utf-8', bundle);
    else if (path === '/favicon.ico') send(204, 'image/x-icon', '');
    else send(404, 'text/plain', 'not found');
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const { port: bound } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${bound}/`,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const srv = await serveSuitePage(await buildBrowserBundle(), Number(process.argv[2] ?? 0));
  console.log(`kernel suite page: ${srv.url}  (Ctrl-C to stop)`);
}
