// Control messages from a page to the engine host: what /v1 has no route for (a file
// picked from disk, the adapter's description, a keep-alive ping, a device-loss drill).
// Each request carries a MessagePort for its one reply. Chat, models and everything
// else a client does goes through /v1, never through here.
import type { BrowserHost, HostInfo } from './host.ts';

export type ControlRequest =
  /** Where the engine runs: in the service worker, or in a page's worker behind a relay. */
  | { method: 'hello' }
  | { method: 'info' }
  /** Keeps a service worker from being stopped while a page is open. */
  | { method: 'ping' }
  | { method: 'add-file'; file: Blob; name: string }
  /** device.destroy() on the host's device, as a driver reset would: tests the recovery. */
  | { method: 'lose-device' };

export interface Hello {
  mode: 'service-worker' | 'relay';
  /** Why the engine is not in the service worker (relay mode). */
  reason: string;
}

export type ControlReply = { ok: true; value: unknown } | { ok: false; error: string };

export interface ControlMessage {
  basert: 'control';
  req: ControlRequest;
}

export const isControlMessage = (m: unknown): m is ControlMessage => (m as ControlMessage)?.basert === 'control';

/** What a host answers (the service worker answers 'hello' itself). */
export async function hostControl(host: BrowserHost, req: ControlRequest): Promise<unknown> {
  switch (req.method) {
    case 'hello': return { mode: 'service-worker', reason: '' } satisfies Hello;
    case 'info': return host.info() satisfies Promise<HostInfo>;
    case 'ping': return 'pong';
    case 'add-file': return host.addFile(req.file, req.name);
    case 'lose-device': return host.loseDevice();
  }
}

/** Runs `f` and posts its result (or error) to `port`. */
export async function replyOn(port: MessagePort | undefined, f: () => Promise<unknown>): Promise<void> {
  let reply: ControlReply;
  try {
    reply = { ok: true, value: await f() };
  } catch (e) {
    reply = { ok: false, error: (e as Error)?.message ?? String(e) };
  }
  port?.postMessage(reply);
  port?.close();
}

/** Sends a control request to `target` (a service worker or a worker) and awaits its reply. */
export function sendControl<T>(target: { postMessage(m: unknown, transfer: Transferable[]): void }, req: ControlRequest, timeoutMs = 0): Promise<T> {
  const ch = new MessageChannel();
  return new Promise<T>((resolve, reject) => {
    const timer = timeoutMs > 0 ? setTimeout(() => reject(new Error(`no answer to '${req.method}' within ${timeoutMs} ms`)), timeoutMs) : undefined;
    ch.port1.onmessage = (e) => {
      clearTimeout(timer);
      ch.port1.close();
      const r = e.data as ControlReply;
      if (r.ok) resolve(r.value as T);
      else reject(new Error(r.error));
    };
    target.postMessage({ basert: 'control', req } satisfies ControlMessage, [ch.port2]);
  });
}
