// Request bodies: read with a byte cap (413 before buffering more than the cap, whether
// or not the client sent Content-Length), then parsed as a JSON object.
import { ApiError, invalidRequest } from './errors.ts';

export const DEFAULT_MAX_BODY_BYTES = 8 * 2 ** 20;

const tooLarge = (limit: number) =>
  new ApiError(413, 'invalid_request_error', `The request body exceeds the server's limit of ${limit} bytes.`, null, 'request_too_large');

/** The body's bytes, at most `limit` of them. */
export async function readBodyBytes(req: Request, limit: number): Promise<Uint8Array> {
  const declared = Number(req.headers.get('content-length') ?? NaN);
  if (declared > limit) throw tooLarge(limit);
  if (!req.body) return new Uint8Array(0);
  const reader = req.body.getReader();
  const parts: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      throw tooLarge(limit);
    }
    parts.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.byteLength;
  }
  return out;
}

/** The body as a JSON object; 400 for anything else. */
export async function readJsonObject(req: Request, limit: number): Promise<Record<string, unknown>> {
  const bytes = await readBodyBytes(req, limit);
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw invalidRequest(`We could not parse the JSON body of your request (${(e as Error).message}). The body must be a JSON object.`, null, 'invalid_json');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  return value as Record<string, unknown>;
}
