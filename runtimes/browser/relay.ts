// HTTP over a MessagePort, for browsers whose service workers have no navigator.gpu: the
// service worker relays each /v1 request to the worker that holds the device (holder.ts,
// started by a page) and streams the response back. One MessageChannel per request;
// the body flows by credit (one chunk per 'pull'), so a slow reader holds the generation
// back exactly as it does on a direct connection, and a 'cancel' aborts it.
//
// service worker -> holder:  RelayRequest (+ a port for this exchange)
// holder -> sw:  {t:'ack'} at once, {t:'head',…}, then {t:'chunk'} per pull, {t:'end'} | {t:'error'}
// sw -> holder:  {t:'pull'}, {t:'cancel'}

export interface RelayRequest {
  basert: 'relay';
  url: string;
  method: string;
  headers: [string, string][];
  body: ArrayBuffer | null;
}

type HolderMsg =
  | { t: 'ack' }
  | { t: 'head'; status: number; statusText: string; headers: [string, string][] }
  | { t: 'chunk'; bytes: Uint8Array }
  | { t: 'end' }
  | { t: 'error'; message: string };
type SwMsg = { t: 'pull' } | { t: 'cancel' };

export class HolderGoneError extends Error {
  override name = 'HolderGoneError';
}

export const isRelayRequest = (m: unknown): m is RelayRequest => (m as RelayRequest)?.basert === 'relay';

/** Sends `req` to the holder behind `port`; rejects with HolderGoneError when it does not acknowledge in time. */
export async function relayFetch(port: MessagePort, req: Request, ackTimeoutMs = 5000): Promise<Response> {
  const body = req.method === 'GET' || req.method === 'HEAD' ? null : await req.arrayBuffer();
  const ch = new MessageChannel();
  const local = ch.port1;
  const inbox: HolderMsg[] = [];
  let wake: (() => void) | null = null;
  local.onmessage = (e) => {
    inbox.push(e.data as HolderMsg);
    wake?.();
  };
  const next = async (timeoutMs = 0): Promise<HolderMsg> => {
    while (inbox.length === 0) {
      let timer: ReturnType<typeof setTimeout> | undefined;
      await new Promise<void>((resolve, reject) => {
        wake = resolve;
        if (timeoutMs > 0) timer = setTimeout(() => reject(new HolderGoneError('the tab holding the GPU did not answer')), timeoutMs);
      }).finally(() => {
        wake = null;
        clearTimeout(timer);
      });
    }
    return inbox.shift()!;
  };
  const send = (m: SwMsg) => local.postMessage(m);
  const msg: RelayRequest = { basert: 'relay', url: req.url, method: req.method, headers: [...req.headers], body };
  port.postMessage(msg, [ch.port2, ...(body ? [body] : [])]);
  try {
    await next(ackTimeoutMs); // the ack
  } catch (e) {
    local.close();
    throw e;
  }
  req.signal?.addEventListener('abort', () => send({ t: 'cancel' }), { once: true });
  const head = await next();
  if (head.t === 'error') throw new Error(head.message);
  if (head.t !== 'head') throw new Error(`relay: expected a response head, got '${head.t}'`);
  const stream = new ReadableStream<Uint8Array>({
    async pull(ctl) {
      send({ t: 'pull' });
      const m = await next();
      if (m.t === 'chunk') ctl.enqueue(m.bytes);
      else {
        local.close();
        if (m.t === 'end') ctl.close();
        else ctl.error(new Error(m.t === 'error' ? m.message : `relay: unexpected '${m.t}'`));
      }
    },
    cancel() {
      send({ t: 'cancel' });
      local.close();
    },
  }, { highWaterMark: 0 });
  const nullBody = head.status === 204 || head.status === 304 || req.method === 'HEAD';
  return new Response(nullBody ? null : stream, { status: head.status, statusText: head.statusText, headers: head.headers });
}

/** The holder's side: answers relayed requests arriving on `port` with `fetch` (the host's app). */
export function serveRelay(port: MessagePort, fetch: (req: Request) => Promise<Response>): void {
  port.onmessage = (e) => {
    if (isRelayRequest(e.data) && e.ports[0]) void answer(e.data, e.ports[0], fetch);
  };
}

async function answer(m: RelayRequest, port: MessagePort, fetch: (req: Request) => Promise<Response>): Promise<void> {
  const send = (msg: HolderMsg, transfer: Transferable[] = []) => port.postMessage(msg, transfer);
  send({ t: 'ack' });
  const abort = new AbortController();
  let reader: ReadableStreamDefaultReader<Uint8Array> | undefined;
  port.onmessage = async (e) => {
    const cmd = e.data as SwMsg;
    if (cmd.t === 'cancel') {
      abort.abort();
      await reader?.cancel().catch(() => {});
      port.close();
      return;
    }
    try {
      const r = await reader?.read();
      if (!r || r.done) {
        send({ t: 'end' });
        port.close();
      } else {
        const bytes = r.value.slice(); // own buffer: transferable
        send({ t: 'chunk', bytes }, [bytes.buffer]);
      }
    } catch (err) {
      send({ t: 'error', message: (err as Error)?.message ?? String(err) });
      port.close();
    }
  };
  try {
    const res = await fetch(new Request(m.url, { method: m.method, headers: m.headers, body: m.body, signal: abort.signal }));
    reader = res.body?.getReader();
    send({ t: 'head', status: res.status, statusText: res.statusText, headers: [...res.headers] });
  } catch (err) {
    send({ t: 'error', message: (err as Error)?.message ?? String(err) });
    port.close();
  }
}
