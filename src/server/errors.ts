// OpenAI's error body, `{"error":{"message","type","param","code"}}`, and the one error
// class every route throws; app.ts turns it into the response. `type` is OpenAI's broad
// category, `code` the specific reason a client can branch on.

export type ApiErrorType =
  | 'invalid_request_error'
  | 'authentication_error'
  | 'requests'
  | 'tokens'
  | 'not_found_error'
  | 'unsupported_error'
  | 'server_error';

export interface ApiErrorBody {
  error: { message: string; type: ApiErrorType; param: string | null; code: string | null };
}

export class ApiError extends Error {
  override name = 'ApiError';
  constructor(
    readonly status: number,
    readonly type: ApiErrorType,
    message: string,
    readonly param: string | null = null,
    readonly code: string | null = null,
    /** Extra response headers (Retry-After, WWW-Authenticate). */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }

  body(): ApiErrorBody {
    return { error: { message: this.message, type: this.type, param: this.param, code: this.code } };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.body()), {
      status: this.status,
      headers: { 'content-type': 'application/json', ...this.headers },
    });
  }
}

export const invalidRequest = (message: string, param: string | null = null, code: string | null = null) =>
  new ApiError(400, 'invalid_request_error', message, param, code);

export const modelNotFound = (model: string) =>
  new ApiError(404, 'invalid_request_error', `The model '${model}' does not exist or is not served here; GET /v1/models lists the served models.`, 'model', 'model_not_found');

export const unsupported = (message: string, param: string | null = null) =>
  new ApiError(501, 'unsupported_error', message, param, 'unsupported');

export const unavailable = (message: string, code: 'server_draining' | 'model_loading' | 'model_unloaded') =>
  new ApiError(503, 'server_error', message, null, code, { 'retry-after': '1' });

export const serverError = (message: string) => new ApiError(500, 'server_error', message, null, 'internal_error');

/** A lost GPU device: the client may retry once the model is reloaded (503, not 500). */
export function deviceLostError(e: unknown): ApiError | null {
  if (!(e instanceof Error && e.name === 'DeviceLostError')) return null;
  return new ApiError(503, 'server_error', `${e.message}. The host reloads the model: retry the request.`, null, 'device_lost', { 'retry-after': '2' });
}
