// The service worker's side of relay mode: a port to the worker that holds the device.
// A service worker can be stopped and restarted at any time, losing the port; it then asks
// its window clients for a new one ('need-holder'), and the page's client.ts answers
// with a fresh channel to its holder worker.
import { HolderGoneError, relayFetch } from './relay.ts';
import type { SwGlobal } from './sw-types.ts';

export const NEED_HOLDER = 'need-holder';

export class HolderLink {
  private port: MessagePort | null = null;
  private waiters: ((p: MessagePort) => void)[] = [];

  constructor(private readonly sw: SwGlobal, private readonly waitMs = 10_000) {}

  /** A page handed over a port to its holder worker. */
  set(port: MessagePort): void {
    this.port = port;
    for (const w of this.waiters.splice(0)) w(port);
  }

  private async get(): Promise<MessagePort> {
    if (this.port) return this.port;
    const got = new Promise<MessagePort>((resolve, reject) => {
      const timer = setTimeout(() => reject(new HolderGoneError(
        'no open tab holds the GPU device: this browser runs the engine in a page (its service workers have no WebGPU), so keep a basert page open',
      )), this.waitMs);
      this.waiters.push((p) => {
        clearTimeout(timer);
        resolve(p);
      });
    });
    for (const c of await this.sw.clients.matchAll({ type: 'window' })) c.postMessage({ basert: NEED_HOLDER });
    return got;
  }

  /** Relays `req`, asking for a new holder once when the current one is gone. */
  async fetch(req: Request): Promise<Response> {
    const copy = req.clone();
    const port = await this.get();
    try {
      return await relayFetch(port, req);
    } catch (e) {
      if (!(e instanceof HolderGoneError)) throw e;
      if (this.port === port) this.port = null;
      return relayFetch(await this.get(), copy);
    }
  }
}
