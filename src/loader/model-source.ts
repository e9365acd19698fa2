// What `--model` names: an existing .gguf file, an existing Hugging Face model directory
// (config.json + safetensors), or a hub id (org/name[:QUANT][@rev]) resolved through the
// hub cache to one of those two. A path that exists always wins over a hub id.
import { readGguf, type GgufFile } from './gguf/index.ts';
import { openHfModelDir, type HfModelDir } from './hf/index.ts';
import { isHubId, resolveHubModel, type HubDeps, type HubModel } from './hub/index.ts';
import { joinPath, type FileHost } from './file-host.ts';
import { LoaderError } from './loader-error.ts';

export type ModelSource =
  /** `paths`: every part of a split GGUF, in order (one entry otherwise). */
  | { readonly kind: 'gguf'; readonly path: string; readonly paths: readonly string[]; readonly hub?: HubModel }
  | { readonly kind: 'hf-dir'; readonly path: string; readonly hub?: HubModel };

export interface ModelSourceDeps {
  readonly files: Pick<FileHost, 'stat' | 'openFile'>;
  /** Hub access, created only when the spec is a hub id. Absent: hub ids are refused. */
  readonly hub?: () => Promise<HubDeps>;
}

const GGUF_MAGIC = 'GGUF';

async function isGgufFile(files: ModelSourceDeps['files'], path: string): Promise<boolean> {
  const f = await files.openFile(path);
  try {
    return new TextDecoder().decode(await f.read(0, 4)) === GGUF_MAGIC;
  } finally {
    await f.close();
  }
}

async function localSource(spec: string, kind: 'file' | 'dir', deps: ModelSourceDeps): Promise<ModelSource> {
  if (kind === 'dir') {
    if ((await deps.files.stat(joinPath(spec, 'config.json'))) === 'file') return { kind: 'hf-dir', path: spec };
    throw new LoaderError('missing-file', spec, 'a model directory needs config.json (a Hugging Face model directory); for a GGUF model pass the .gguf file itself');
  }
  if (await isGgufFile(deps.files, spec)) return { kind: 'gguf', path: spec, paths: [spec] };
  const hint = /\.safetensors$/i.test(spec) ? '; for safetensors weights pass the model directory that holds them and config.json' : '';
  throw new LoaderError('unsupported', spec, `not a GGUF file (it does not start with "GGUF")${hint}`);
}

export async function resolveModelSource(spec: string, deps: ModelSourceDeps): Promise<ModelSource> {
  const kind = await deps.files.stat(spec);
  if (kind) return localSource(spec, kind, deps);
  if (!isHubId(spec)) {
    throw new LoaderError('missing-file', spec, 'no such file or directory (--model takes a .gguf file, a Hugging Face model directory, or a hub id such as Qwen/Qwen3-0.6B)');
  }
  if (!deps.hub) throw new LoaderError('missing-file', spec, 'no such file or directory, and hub downloads are not available here');
  const model = await resolveHubModel(spec, await deps.hub());
  return model.kind === 'gguf'
    ? { kind: 'gguf', path: model.paths[0], paths: model.paths, hub: model }
    : { kind: 'hf-dir', path: model.dir, hub: model };
}

export type OpenedModel =
  | { readonly kind: 'gguf'; readonly gguf: GgufFile; close(): Promise<void> }
  | { readonly kind: 'hf-dir'; readonly model: HfModelDir; close(): Promise<void> };

/** Opens a resolved source: the GGUF header, or the directory's configs and safetensors headers. */
export async function openModelSource(source: ModelSource, files: Pick<FileHost, 'openFile' | 'openDir'>): Promise<OpenedModel> {
  if (source.kind === 'hf-dir') {
    const dir = files.openDir(source.path);
    try {
      return { kind: 'hf-dir', model: await openHfModelDir(dir), close: async () => dir.close?.() };
    } catch (e) {
      await dir.close?.();
      throw e;
    }
  }
  if (source.paths.length > 1) throw new LoaderError('unsupported', source.path, `split GGUF files (${source.paths.length} parts) are not supported yet`);
  const file = await files.openFile(source.path);
  try {
    return { kind: 'gguf', gguf: await readGguf(file), close: () => file.close() };
  } catch (e) {
    await file.close();
    throw e;
  }
}
