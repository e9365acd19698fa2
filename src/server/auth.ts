// API keys: `Authorization: Bearer <key>` or `x-api-key: <key>`, any of several keys.
// Keys are compared as SHA-256 digests with a loop that visits every byte of every key,
// so neither a key's content nor which key matched shows in the time taken.
import { ApiError } from './errors.ts';

const digest = async (s: string) => new Uint8Array(await crypto.subtle.digest('SHA-256', new TextEncoder().encode(s)));

export class ApiKeys {
  private constructor(private readonly digests: readonly Uint8Array[]) {}

  static async create(keys: readonly string[]): Promise<ApiKeys> {
    const bad = keys.find((k) => k.length === 0 || /\s/.test(k));
    if (bad !== undefined) throw new RangeError('API keys must be non-empty and contain no whitespace');
    return new ApiKeys(await Promise.all([...new Set(keys)].map(digest)));
  }

  get size(): number {
    return this.digests.length;
  }

  async matches(key: string): Promise<boolean> {
    const d = await digest(key);
    let found = 0;
    for (const k of this.digests) {
      let diff = 0;
      for (let i = 0; i < d.length; i++) diff |= d[i] ^ k[i];
      found |= diff === 0 ? 1 : 0;
    }
    return found === 1;
  }
}

/** The key a request presents, from either header; null when it presents none. */
export function presentedKey(headers: Headers): string | null {
  const auth = headers.get('authorization');
  if (auth !== null) {
    const m = /^Bearer\s+(\S+)\s*$/i.exec(auth);
    return m ? m[1] : '';
  }
  return headers.get('x-api-key');
}

export async function checkAuth(keys: ApiKeys, headers: Headers): Promise<void> {
  const key = presentedKey(headers);
  if (key === null) {
    throw new ApiError(401, 'invalid_request_error', 'You did not provide an API key. Send it as "Authorization: Bearer <key>" or "x-api-key: <key>".', null, 'missing_api_key', { 'www-authenticate': 'Bearer' });
  }
  if (!(await keys.matches(key))) {
    throw new ApiError(401, 'invalid_request_error', 'Incorrect API key provided.', null, 'invalid_api_key', { 'www-authenticate': 'Bearer error="invalid_token"' });
  }
}
