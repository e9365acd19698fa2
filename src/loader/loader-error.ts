// One error class for the safetensors and Hugging Face directory loaders. `code` says
// what kind of failure it is (for callers that branch on it), `file` names the file at
// fault (a path, URL or name inside a model directory) and the message starts with it:
//   "/models/qwen/model.safetensors: truncated: ...".

export type LoaderErrorCode =
  /** The file is shorter than its own header says (or than any header at all). */
  | 'truncated'
  /** A safetensors header that is not what the format allows: bad length, bad JSON, bad fields. */
  | 'bad-header'
  /** Tensor data_offsets that overlap, leave gaps, or disagree with dtype × shape. */
  | 'bad-offsets'
  /** A safetensors dtype basert does not know (or one with sub-byte elements). */
  | 'unknown-dtype'
  /** A file the model directory must have is not there (config.json, model.safetensors). */
  | 'missing-file'
  /** model.safetensors.index.json names a shard the directory does not have. */
  | 'missing-shard'
  /** A tensor asked for (or promised by the index's weight_map) is not in the file. */
  | 'missing-tensor'
  /** config.json / generation_config.json / the shard index is not valid JSON or has a bad field. */
  | 'bad-config'
  /** Valid input basert does not implement: an architecture or a RoPE scaling type. */
  | 'unsupported';

export class LoaderError extends Error {
  constructor(readonly code: LoaderErrorCode, readonly file: string, readonly problem: string) {
    super(`${file}: ${problem}`);
    this.name = 'LoaderError';
  }
}

export function isLoaderError(e: unknown, code?: LoaderErrorCode): e is LoaderError {
  return e instanceof LoaderError && (code === undefined || e.code === code);
}
