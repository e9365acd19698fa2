// The page's side: registers the service worker, waits until it controls the page (from
// then on `fetch('/v1/…')`, and so the openai SDK, reach the model), starts the holder
// worker when the service worker relays, pings the worker while the page is open, and
// passes on the host's events. A page needs this only to set things up: requests go to
// /v1 like any OpenAI client's.
import { sendControl, type ControlRequest, type Hello } from './control.ts';
import { EVENTS_CHANNEL, type HostEvent } from './events.ts';
import { NEED_HOLDER } from './holder-link.ts';
import type { HostInfo } from './host.ts';

export interface ConnectOptions {
  /** Default /sw.js. Its query configures the host (host-params.ts). */
  swUrl?: string;
  /** Default /holder.js (relay mode only). */
  holderUrl?: string;
  /** Appended to both URLs: manifest, relay, disable, ctx. */
  params?: Record<string, string>;
  onEvent?(e: HostEvent): void;
  /** Ping interval (ms) that keeps the service worker running; default 20 s (browsers stop idle ones after ~30 s). */
  keepAliveMs?: number;
}

export interface BasertTab {
  readonly mode: Hello['mode'];
  /** Why the engine runs in a page's worker instead of the service worker. */
  readonly reason: string;
  control<T = unknown>(req: ControlRequest): Promise<T>;
  info(): Promise<HostInfo>;
  /** Stores a GGUF picked from disk and registers it; load it with POST /v1/models/load. */
  addFile(file: File): Promise<{ id: string; size: number; sha256: string }>;
  close(): void;
}

export class NoServiceWorkerError extends Error {
  override name = 'NoServiceWorkerError';
}

function withQuery(path: string, params: Record<string, string> | undefined): string {
  const url = new URL(path, location.href);
  for (const [k, v] of Object.entries(params ?? {})) url.searchParams.set(k, v);
  return url.href;
}

/** Resolves once a service worker running `scriptUrl` controls this page. */
async function controlledBy(scriptUrl: string, timeoutMs = 30_000): Promise<ServiceWorker> {
  const sw = navigator.serviceWorker;
  const deadline = Date.now() + timeoutMs;
  while (sw.controller?.scriptURL !== scriptUrl) {
    if (Date.now() > deadline) throw new NoServiceWorkerError(`the service worker ${scriptUrl} did not take control of this page within ${timeoutMs / 1000} s`);
    await new Promise<void>((r) => {
      const t = setTimeout(r, 250);
      sw.addEventListener('controllerchange', () => (clearTimeout(t), r()), { once: true });
    });
  }
  return sw.controller;
}

export async function connectBasert(opts: ConnectOptions = {}): Promise<BasertTab> {
  if (!('serviceWorker' in navigator)) {
    throw new NoServiceWorkerError('service workers are unavailable here: serve the page over https or from http://localhost / 127.0.0.1 (not file://), outside private windows that block them');
  }
  // Best effort: ask that stored models survive storage pressure (the browser may decline).
  void navigator.storage?.persist?.().catch(() => false);
  const swUrl = withQuery(opts.swUrl ?? '/sw.js', opts.params);
  await navigator.serviceWorker.register(swUrl, { scope: '/' });
  await controlledBy(swUrl);
  const controller = () => navigator.serviceWorker.controller ?? (() => {
    throw new NoServiceWorkerError('this page is no longer controlled by the basert service worker (hard reload?); reload the page');
  })();
  const hello = await sendControl<Hello>(controller(), { method: 'hello' }, 10_000);

  let holder: Worker | null = null;
  const giveHolder = () => {
    if (!holder) return;
    const ch = new MessageChannel();
    holder.postMessage({ basert: 'port' }, [ch.port1]);
    controller().postMessage({ basert: 'holder' }, [ch.port2]);
  };
  const onSwMessage = (e: MessageEvent) => {
    if ((e.data as { basert?: string })?.basert === NEED_HOLDER) giveHolder();
  };
  if (hello.mode === 'relay') {
    holder = new Worker(withQuery(opts.holderUrl ?? '/holder.js', opts.params));
    navigator.serviceWorker.addEventListener('message', onSwMessage);
    navigator.serviceWorker.startMessages(); // addEventListener alone leaves them queued
    giveHolder();
  }
  const events = new BroadcastChannel(EVENTS_CHANNEL);
  events.onmessage = (e) => opts.onEvent?.(e.data as HostEvent);
  const ping = setInterval(() => void sendControl(controller(), { method: 'ping' }, 10_000).catch(() => {}), opts.keepAliveMs ?? 20_000);

  const control = <T>(req: ControlRequest) => sendControl<T>(holder ?? controller(), req);
  return {
    mode: hello.mode,
    reason: hello.reason,
    control,
    info: () => control<HostInfo>({ method: 'info' }),
    addFile: (file) => control({ method: 'add-file', file, name: file.name }),
    close() {
      clearInterval(ping);
      events.close();
      navigator.serviceWorker.removeEventListener('message', onSwMessage);
      holder?.terminate();
    },
  };
}
