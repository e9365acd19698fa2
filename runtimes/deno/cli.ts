// `basert` on Deno: `deno task doctor`. Deno's WebGPU is built in; start it through
// `node scripts/with-gpu.mjs deno ...` on a machine that needs the software driver.
import { runCli } from '../../src/cli/main.ts';
import { denoGpu } from './gpu.ts';
import { denoFileHost } from './serve-files.ts';
import { denoServeHost } from './serve.ts';

declare const Deno: { args: string[]; version: { deno: string }; exit(code: number): never };

const code = await runCli(Deno.args, {
  runtime: `deno ${Deno.version.deno}`,
  gpu: async () => denoGpu(),
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  files: denoFileHost,
  serve: denoServeHost,
});
Deno.exit(code);
