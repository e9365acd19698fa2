// zod results -> OpenAI 400s: the first issue becomes the message and `param`
// ("messages[0].role"), unknown fields are refused as OpenAI does.
import type { z } from 'zod';
import { invalidRequest } from '../errors.ts';

/** `["messages", 0, "role"]` -> "messages[0].role". */
export function paramPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}

export function parseRequest<S extends z.ZodType>(schema: S, body: unknown): z.infer<S> {
  const r = schema.safeParse(body);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const key = paramPath([...issue.path, issue.keys[0]]);
    throw invalidRequest(`Unrecognized request argument supplied: ${key}`, key, 'unknown_parameter');
  }
  const param = paramPath(issue.path);
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  const message = missing ? `Missing required parameter: '${param}'.` : `Invalid value for '${param}': ${issue.message}`;
  throw invalidRequest(message, param || null, missing ? 'missing_required_parameter' : 'invalid_value');
}
