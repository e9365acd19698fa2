// The dedicated worker that holds the GPU device when the service worker cannot (relay
// mode; see relay.ts). A page starts it (client.ts) and hands the service worker a port
// to it; every page port gets the same host, so one model serves all of them.
import { isControlMessage, hostControl, replyOn } from './control.ts';
import { broadcastEvents } from './events.ts';
import { browserGpu } from './gpu.ts';
import { hostParams } from './host-params.ts';
import { BrowserHost } from './host.ts';
import { serveRelay } from './relay.ts';

const params = hostParams(location.href);
const host = new BrowserHost({
  place: 'worker',
  origin: location.origin,
  manifestUrl: params.manifestUrl,
  gpu: browserGpu,
  disable: params.disable,
  settings: params.settings,
  emit: broadcastEvents(),
});

addEventListener('message', (e: MessageEvent) => {
  const m = e.data as { basert?: string };
  if (m?.basert === 'port' && e.ports[0]) serveRelay(e.ports[0], (req) => host.fetch(req));
  else if (isControlMessage(m)) void replyOn(e.ports[0], () => hostControl(host, m.req));
});
