// Shared by the commands that read and write model files (convert, quantize, run): the
// errors that mean bad input or a model this device cannot run (reported in one line,
// exit 1) and a byte-size format.
import { GgufError } from '../loader/gguf/index.ts';
import { HubError } from '../loader/hub/index.ts';
import { LoaderError } from '../loader/loader-error.ts';
import { DeviceLostError, ModelError } from '../model/errors.ts';
import { SamplingParamError } from '../sample/params.ts';
import { TokenizerLoadError } from '../text/errors.ts';
import { UsageError } from './flags.ts';
import type { FileHost } from '../loader/file-host.ts';

export function isInputError(e: unknown): e is Error {
  return e instanceof LoaderError || e instanceof GgufError || e instanceof TokenizerLoadError || e instanceof HubError ||
    e instanceof ModelError || e instanceof DeviceLostError || e instanceof SamplingParamError;
}

export function needFiles(files: FileHost | undefined, command: string): FileHost {
  if (!files) throw new UsageError(`\`basert ${command}\` needs file-system access, which this runtime's CLI does not provide`);
  return files;
}

export function formatSize(bytes: number): string {
  return bytes >= 1 << 20 ? `${(bytes / (1 << 20)).toFixed(1)} MiB` : `${(bytes / 1024).toFixed(1)} KiB`;
}
