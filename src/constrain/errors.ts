/**
 * A grammar or schema the constraint engine cannot use. The server answers it with a 400:
 * for a JSON Schema, `keyword` names the offending keyword ("pattern", "multipleOf") and
 * `path` is a JSON pointer to it ("/properties/age/multipleOf"); for GBNF or a regex,
 * `position` is the 0-based character offset of the syntax error in the source text.
 */
export class ConstraintError extends Error {
  readonly keyword?: string;
  readonly path?: string;
  readonly position?: number;

  constructor(message: string, where: { keyword?: string; path?: string; position?: number } = {}) {
    super(message);
    this.name = 'ConstraintError';
    this.keyword = where.keyword;
    this.path = where.path;
    this.position = where.position;
  }
}

/** Escapes one JSON pointer segment (RFC 6901: "~" -> "~0", "/" -> "~1"). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}
