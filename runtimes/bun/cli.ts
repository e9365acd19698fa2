// `basert` on Bun: `bun runtimes/bun/cli.ts doctor` (same Dawn addon as Node).
import { runCli } from '../../src/cli/main.ts';
import { nodeFileHost } from '../node/file-host.ts';
import { findBunGpu } from './gpu.ts';
import { bunServeHost } from './serve.ts';

declare const Bun: { version: string };

const code = await runCli(process.argv.slice(2), {
  runtime: `bun ${Bun.version}`,
  gpu: findBunGpu,
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  files: nodeFileHost,
  serve: bunServeHost,
});
process.exit(code);
