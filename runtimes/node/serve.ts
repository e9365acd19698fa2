// `basert serve` on Node: listen with @hono/node-server, process signals, an appending
// log file, and the demo model generated under the user's cache directory.
import { serve } from '@hono/node-server';
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import type { Listener, LogSink, ServeHost } from '../../src/cli/serve.ts';
import { ensureTinyModelDir } from './tiny-models.ts';

/** BASERT_CACHE, else $XDG_CACHE_HOME/basert, else ~/.cache/basert. */
export function basertCacheDir(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env.BASERT_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'basert');
}

export async function openAppendLog(path: string): Promise<LogSink> {
  await mkdir(dirname(path), { recursive: true });
  const out = createWriteStream(path, { flags: 'a' });
  return {
    write: (line) => void out.write(`${line}\n`),
    close: () => new Promise<void>((resolve) => out.end(resolve)),
  };
}

export const demoModel = () => ensureTinyModelDir('tiny-qwen3', { root: join(basertCacheDir(), 'demo-models') });

export const nodeServeHost: ServeHost = {
  listen: (fetch, { hostname, port }) =>
    new Promise<Listener>((resolve, reject) => {
      const server = serve(
        {
          fetch: (req, env) => fetch(req, { remoteAddr: (env as { incoming?: { socket?: { remoteAddress?: string } } }).incoming?.socket?.remoteAddress }),
          hostname,
          port,
          overrideGlobalObjects: false,
        },
        (info: AddressInfo) => {
          server.off('error', reject);
          const http = server as import('node:http').Server;
          resolve({
            hostname,
            port: info.port,
            stop: () => {
              http.close();
              http.closeIdleConnections();
            },
            close: () => {
              http.close();
              http.closeAllConnections();
            },
          });
        },
      );
      server.once('error', reject);
    }),
  onSignal: (signal, handler) => void process.on(signal, handler),
  openLog: openAppendLog,
  demoModel,
};
