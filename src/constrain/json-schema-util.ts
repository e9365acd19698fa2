// Helpers shared by the JSON Schema compiler's files.
import { ConstraintError, pointerSegment } from './errors.ts';

export type Schema = Record<string, unknown>;

export function isObject(v: unknown): v is Schema {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The error for `keyword` of the schema at `path` (a JSON pointer). */
export function unsupported(keyword: string, path: string, why: string): ConstraintError {
  const at = `${path}/${pointerSegment(keyword)}`;
  return new ConstraintError(`${why} (at "${at}")`, { keyword, path: at });
}

/** A non-negative integer keyword (minItems, maxLength...), or undefined when absent. */
export function count(v: unknown, keyword: string, path: string): number | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0) throw unsupported(keyword, path, `${keyword} must be a non-negative integer`);
  return v;
}
