// One error class for everything the hub client can fail at. `code` is for callers that
// branch; the message names the repository (and file) first, then what is wrong:
//   "unsloth/Qwen3-0.6B-GGUF/Qwen3-0.6B-Q4_K_M.gguf: not found at revision main (HTTP 404)".

export type HubErrorCode =
  /** The model id is not `org/name[:QUANT][@revision]`. */
  | 'bad-id'
  /** The repository, revision or file does not exist (HTTP 404). */
  | 'not-found'
  /** No token, or a token the hub rejected (HTTP 401). */
  | 'unauthorized'
  /** A gated repository whose terms the token's user has not accepted (HTTP 403). */
  | 'forbidden'
  /** Any other HTTP status, or a response that is not what the protocol promises. */
  | 'http'
  /** The connection failed, dropped or stalled; a partial download stays for resuming. */
  | 'network'
  /** The downloaded bytes disagree with the size or hash the hub reports. */
  | 'integrity'
  /** Reading or writing the cache failed (disk full, permissions). */
  | 'storage'
  /** The repository holds nothing basert can load, or nothing that matches the quant asked for. */
  | 'no-match'
  /** HF_HUB_OFFLINE is set and the cache does not hold what was asked for. */
  | 'offline';

export class HubError extends Error {
  /** The HTTP status behind the error, when there was one. */
  readonly status: number | undefined;
  constructor(
    readonly code: HubErrorCode,
    /** `org/name`, or the id as given when it did not parse. */
    readonly repo: string,
    /** The repo-relative file at fault, if one is. */
    readonly file: string | undefined,
    readonly problem: string,
    options: { cause?: unknown; status?: number } = {},
  ) {
    super(`${file === undefined ? repo : `${repo}/${file}`}: ${problem}`, 'cause' in options ? { cause: options.cause } : undefined);
    this.name = 'HubError';
    this.status = options.status;
  }
}

export function isHubError(e: unknown, code?: HubErrorCode): e is HubError {
  return e instanceof HubError && (code === undefined || e.code === code);
}
