// The service worker: answers /v1/* (and /health, /metrics, /tokenize, /detokenize) on
// the page's own origin with the same Hono app `basert serve` runs, so the unmodified
// `openai` SDK works with `baseURL: location.origin + '/v1'`. Everything else goes to the
// network untouched. Built by scripts/build-web.mjs into sw.js; settings in host-params.ts.
//
// Where the browser exposes navigator.gpu to service workers (Chromium does), the engine
// runs here. Elsewhere (or with ?relay=1) requests are relayed to a page's worker
// (holder-link.ts). Each response keeps the worker alive until its last byte; a worker
// the browser stopped while idle starts again on the next request, re-reads the model
// store, and the model reloads on first use (from the Cache API, not the network).
import { Hono } from 'hono';
import { handle } from 'hono/service-worker';
import { hostControl, isControlMessage, replyOn, type Hello } from './control.ts';
import { broadcastEvents } from './events.ts';
import { browserGpu } from './gpu.ts';
import { HolderLink } from './holder-link.ts';
import { hostParams } from './host-params.ts';
import { BrowserHost } from './host.ts';
import type { SwGlobal } from './sw-types.ts';

const sw = globalThis as unknown as SwGlobal;
const params = hostParams(sw.location.href);
const hereGpu = params.relay ? undefined : browserGpu();
const host = hereGpu
  ? new BrowserHost({
    place: 'service-worker',
    origin: sw.location.origin,
    manifestUrl: params.manifestUrl,
    gpu: () => hereGpu,
    disable: params.disable,
    settings: params.settings,
    emit: broadcastEvents(),
  })
  : null;
const holders = new HolderLink(sw);
const hello: Hello = host
  ? { mode: 'service-worker', reason: '' }
  : { mode: 'relay', reason: params.relay ? 'relay mode was asked for (relay=1)' : 'this browser exposes no navigator.gpu to service workers' };

/** The paths the app answers; the rest of the origin is the site's own. */
function isApiPath(path: string): boolean {
  return /^\/v1(\/|$)/.test(path) || ['/health', '/metrics', '/tokenize', '/detokenize'].includes(path);
}

/** Extends the fetch event until the body's last byte: a stream outlives respondWith(). */
function untilLastByte(res: Response, waitUntil: (p: Promise<unknown>) => void): Response {
  if (!res.body) return res;
  const { readable, writable } = new TransformStream<Uint8Array, Uint8Array>();
  waitUntil(res.body.pipeTo(writable).catch(() => {}));
  return new Response(readable, { status: res.status, statusText: res.statusText, headers: res.headers });
}

const router = new Hono();
router.all('*', async (c) => {
  const res = host ? await host.fetch(c.req.raw) : await holders.fetch(c.req.raw);
  return untilLastByte(res, (p) => c.executionCtx.waitUntil(p));
});
// fetch: undefined: an app 404 (an unknown model) is the answer, not a cue to try the network.
const onFetch = handle(router, { fetch: undefined });

sw.addEventListener('install', () => void sw.skipWaiting());
sw.addEventListener('activate', (e) => e.waitUntil(sw.clients.claim()));
sw.addEventListener('fetch', (e) => {
  const url = new URL(e.request.url);
  if (url.origin === sw.location.origin && isApiPath(url.pathname)) onFetch(e);
});
sw.addEventListener('message', (e) => {
  const m = e.data as { basert?: string };
  if (m?.basert === 'holder' && e.ports[0]) holders.set(e.ports[0]);
  else if (isControlMessage(m)) {
    e.waitUntil(replyOn(e.ports[0], async () => {
      if (m.req.method === 'hello') return hello;
      if (m.req.method === 'ping') return 'pong';
      if (!host) throw new Error(`'${m.req.method}' goes to the page's holder worker in relay mode`);
      return hostControl(host, m.req);
    }));
  }
});
