// The `basert` command, runtime-agnostic: each runtime's cli.ts passes how to get its
// GPU object and where to print, and exits with the returned status.

import type { FileHost } from '../loader/file-host.ts';
import type { HubDeps } from '../loader/hub/index.ts';
import { VERSION } from '../version.ts';
import { CONVERT_HELP, runConvert } from './convert.ts';
import { DOCTOR_FLAGS, DOCTOR_HELP, formatDoctor, runDoctor } from './doctor.ts';
import { isInputError, needFiles } from './file-commands.ts';
import { parseFlags, UsageError } from './flags.ts';
import { QUANTIZE_HELP, runQuantize } from './quantize.ts';
import { RUN_HELP, runRun } from './run.ts';
import { runServe, SERVE_HELP, type ServeHost } from './serve.ts';

export interface CliHost {
  /** e.g. "node v20.20.2", "bun 1.4.5", "deno 2.9.6" */
  runtime: string;
  gpu(): Promise<GPU | undefined>;
  out(text: string): void;
  err(text: string): void;
  /** File access for convert/quantize/run; runtimes without it leave it out. */
  files?: FileHost;
  /** Text without a line break (streamed output); falls back to out() per piece. */
  write?(text: string): void;
  /** Hugging Face hub access for hub ids in --model; absent: hub ids are refused. */
  hub?: () => Promise<HubDeps>;
  /** Listening, signals and logs for `basert serve`; absent: serve is refused. */
  serve?: ServeHost;
}

export const MAIN_HELP = `basert ${VERSION}: WebGPU LLM inference engine and OpenAI-compatible server

Usage: basert <command> [flags]

Commands:
  doctor      Report the WebGPU adapter, features, limits and measured throughput
  serve       Start an OpenAI-compatible HTTP server (a demo model without --model)
  run         Generate a continuation of a prompt with a model
  convert     Convert a Hugging Face model directory to GGUF
  quantize    Quantize a GGUF file (Q8_0, Q4_0, Q4_K_M, Q4_K_S, Q6_K)
  setup-gpu   Provision a software GPU (Mesa lavapipe) on Debian/Ubuntu machines without one
  version     Print the version
  help        Show this help; \`basert <command> --help\` shows a command's flags`;

export async function runCli(argv: readonly string[], host: CliHost): Promise<number> {
  const [command = 'help', ...rest] = argv;
  try {
    switch (command) {
      case 'help':
      case '--help':
      case '-h':
        host.out(MAIN_HELP);
        return 0;
      case 'version':
      case '--version':
        host.out(VERSION);
        return 0;
      case 'doctor': {
        if (rest.includes('--help')) return host.out(DOCTOR_HELP), 0;
        const { values } = parseFlags(rest, DOCTOR_FLAGS);
        const { report, error } = await runDoctor(await host.gpu(), host.runtime, { quick: Boolean(values.quick) });
        if (!report) {
          host.err(error ?? 'no adapter');
          return 1;
        }
        host.out(values.json ? JSON.stringify(report, null, 2) : formatDoctor(report));
        return 0;
      }
      case 'run': {
        if (rest.includes('--help')) return host.out(RUN_HELP), 0;
        const files = needFiles(host.files, command);
        await runRun(rest, { files, gpu: host.gpu, hub: host.hub, write: host.write ?? host.out, err: host.err });
        return 0;
      }
      case 'serve': {
        if (rest.includes('--help')) return host.out(SERVE_HELP), 0;
        if (!host.serve) throw new UsageError('`basert serve` is not available in this runtime');
        const files = needFiles(host.files, command);
        return await runServe(rest, { files, gpu: host.gpu, hub: host.hub, out: host.out, err: host.err, serve: host.serve });
      }
      case 'convert':
      case 'quantize': {
        if (rest.includes('--help')) return host.out(command === 'convert' ? CONVERT_HELP : QUANTIZE_HELP), 0;
        const files = needFiles(host.files, command);
        await (command === 'convert' ? runConvert : runQuantize)(rest, files, host.out);
        return 0;
      }
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } catch (e) {
    if (isInputError(e)) {
      host.err(`basert ${command}: ${e.message}`);
      return 1;
    }
    if (e instanceof UsageError) {
      host.err(`basert: ${e.message}\nRun \`basert help\` for usage.`);
      return 2;
    }
    throw e;
  }
}
