// Starts `basert serve` as a child process (Node, Bun or Deno) on 127.0.0.1 with a free
// port, waits for its banner (and, by default, "ready"), and hands back its base URL,
// output and exit. The child inherits this process's environment, so the software-GPU
// variables from scripts/with-gpu.mjs reach it.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export type Runtime = 'node' | 'bun' | 'deno';

const COMMANDS: Record<Runtime, [string, string[]]> = {
  node: [process.execPath, ['--import', 'tsx', 'runtimes/node/cli.ts']],
  bun: [join(ROOT, 'node_modules/.bin/bun'), ['--no-install', 'runtimes/bun/cli.ts']],
  // npm packages (hono, zod, ...) come from node_modules; nothing is fetched.
  deno: [join(ROOT, 'node_modules/.bin/deno'), ['run', '-A', '--no-check', '--no-remote', '--cached-only', '--no-lock', 'runtimes/deno/cli.ts']],
};

export interface ServeChild {
  readonly child: ChildProcess;
  /** http://127.0.0.1:<port> */
  readonly origin: string;
  /** origin + /v1, for the openai SDK. */
  readonly baseURL: string;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** Sends SIGINT unless it has exited; resolves on exit. */
  stop(): Promise<void>;
}

export async function startServe(args: string[], opts: { runtime?: Runtime; env?: Record<string, string>; waitReady?: boolean; timeoutMs?: number } = {}): Promise<ServeChild> {
  const [cmd, pre] = COMMANDS[opts.runtime ?? 'node'];
  const child = spawn(cmd, [...pre, 'serve', '--port', '0', ...args], {
    cwd: ROOT,
    env: { ...process.env, DENO_NO_UPDATE_CHECK: '1', DENO_NO_PROMPT: '1', NO_COLOR: '1', DO_NOT_TRACK: '1', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '', err = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + (opts.timeoutMs ?? 120_000);
  const want = opts.waitReady === false ? /listening on (http:\/\/127\.0\.0\.1:\d+)/ : /listening on (http:\/\/127\.0\.0\.1:\d+)[\s\S]*basert serve: ready/;
  let exitedEarly = false;
  void exited.then(() => (exitedEarly = true));
  for (;;) {
    const m = want.exec(out);
    if (m) {
      const origin = m[1];
      return {
        child, origin, baseURL: `${origin}/v1`, exited,
        stdout: () => out,
        stderr: () => err,
        async stop() {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGINT');
          await exited;
        },
      };
    }
    if (exitedEarly || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`basert serve (${opts.runtime ?? 'node'}) ${exitedEarly ? `exited (${child.exitCode})` : 'timed out'} before it was ready\n--- stdout ---\n${out}\n--- stderr ---\n${err.split('\n').slice(-30).join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Reads an SSE body to its end: the `data:` payloads in order (`[DONE]` included). */
export async function sseEvents(res: Response): Promise<string[]> {
  const text = await res.text();
  return text.split('\n\n').filter(Boolean).map((block) => {
    if (!block.startsWith('data: ')) throw new Error(`not an SSE data event: ${JSON.stringify(block)}`);
    return block.slice(6);
  });
}
