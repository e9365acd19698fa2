// `basert serve` on Bun: Bun.serve listens; signals, the log file and the demo model go
// through Bun's Node compatibility, as on Node (../node/serve.ts).
import type { Listener, ServeHost } from '../../src/cli/serve.ts';
import { demoModel, openAppendLog } from '../node/serve.ts';

interface BunServer {
  readonly port: number;
  readonly hostname: string;
  stop(closeActiveConnections?: boolean): Promise<void>;
  requestIP(req: Request): { address: string } | null;
}
declare const Bun: {
  serve(opts: {
    hostname: string;
    port: number;
    /** Seconds a connection may stay silent; 0 = never time out (long generations). */
    idleTimeout: number;
    fetch(req: Request, server: BunServer): Response | Promise<Response>;
  }): BunServer;
};

export const bunServeHost: ServeHost = {
  async listen(fetch, { hostname, port }): Promise<Listener> {
    const server = Bun.serve({
      hostname,
      port,
      idleTimeout: 0,
      fetch: (req, srv) => fetch(req, { remoteAddr: srv.requestIP(req)?.address }),
    });
    return {
      hostname,
      port: server.port,
      stop: () => void server.stop(false),
      close: () => void server.stop(true),
    };
  },
  onSignal: (signal, handler) => void process.on(signal, handler),
  openLog: openAppendLog,
  demoModel,
};
