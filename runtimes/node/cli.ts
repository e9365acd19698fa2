// `basert` on Node. bin/basert.js starts this with the software-GPU environment set.
import { runCli } from '../../src/cli/main.ts';
import { nodeFileHost } from './file-host.ts';
import { findNodeGpu } from './gpu.ts';
import { nodeHubDeps } from './hub.ts';
import { nodeServeHost } from './serve.ts';

const code = await runCli(process.argv.slice(2), {
  runtime: `node ${process.version}`,
  gpu: findNodeGpu,
  out: (t) => console.log(t),
  err: (t) => console.error(t),
  files: nodeFileHost,
  write: (t) => void process.stdout.write(t),
  hub: () => nodeHubDeps(),
  serve: nodeServeHost,
});
process.exit(code);
