// Typed reads of fields from a parsed JSON config, with errors that name the file and key.
// JSON null counts as absent (transformers writes e.g. "rope_scaling": null).
import { LoaderError } from '../loader-error.ts';

export type JsonObject = Readonly<Record<string, unknown>>;

export const isJsonObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses `text` as a JSON object or throws a 'bad-config' LoaderError naming `file`. */
export function parseJsonObject(file: string, text: string): JsonObject {
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (e) {
    throw new LoaderError('bad-config', file, `not valid JSON (${(e as Error).message})`);
  }
  if (!isJsonObject(v)) throw new LoaderError('bad-config', file, 'not a JSON object');
  return v;
}

export class JsonFields {
  /** `where` prefixes key names in messages (e.g. 'rope_scaling.'). */
  constructor(readonly file: string, readonly obj: JsonObject, readonly where = '') {}

  fail(key: string, want: string): never {
    throw new LoaderError('bad-config', this.file, `"${this.where}${key}" must be ${want}, got ${JSON.stringify(this.obj[key])}`);
  }

  has(key: string): boolean {
    return this.obj[key] !== undefined && this.obj[key] !== null;
  }

  num(key: string): number | undefined;
  num(key: string, fallback: number): number;
  num(key: string, fallback?: number): number | undefined {
    if (!this.has(key)) return fallback;
    const v = this.obj[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : this.fail(key, 'a number');
  }

  int(key: string): number | undefined;
  int(key: string, fallback: number): number;
  int(key: string, fallback?: number): number | undefined {
    if (!this.has(key)) return fallback;
    const v = this.obj[key];
    return Number.isSafeInteger(v) && (v as number) >= 0 ? (v as number) : this.fail(key, 'a non-negative integer');
  }

  /** A required count: missing is an error too. */
  count(key: string): number {
    if (!this.has(key)) throw new LoaderError('bad-config', this.file, `"${this.where}${key}" is missing`);
    return this.int(key, 0);
  }

  bool(key: string): boolean | undefined;
  bool(key: string, fallback: boolean): boolean;
  bool(key: string, fallback?: boolean): boolean | undefined {
    if (!this.has(key)) return fallback;
    const v = this.obj[key];
    return typeof v === 'boolean' ? v : this.fail(key, 'true or false');
  }

  str(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    return typeof v === 'string' ? v : this.fail(key, 'a string');
  }

  /** A token id or a list of them (eos_token_id); [] when absent. */
  tokenIds(key: string): number[] {
    if (!this.has(key)) return [];
    const v = this.obj[key];
    const ok = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0;
    if (ok(v)) return [v];
    if (Array.isArray(v) && v.every(ok)) return [...new Set(v)];
    return this.fail(key, 'a token id or a list of token ids');
  }

  object(key: string): JsonFields | undefined {
    if (!this.has(key)) return undefined;
    const v = this.obj[key];
    return isJsonObject(v) ? new JsonFields(this.file, v, `${this.where}${key}.`) : this.fail(key, 'an object');
  }
}
