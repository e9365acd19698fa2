// Strings: length bounds, formats, patterns. A format or pattern fixes the content's shape,
// so it is not combined with minLength/maxLength (refused rather than silently ignored).
// With both a pattern and a format, the pattern is what the grammar follows (the output
// is not checked against the format as well).
import { type Expr, lit, seq } from './grammar.ts';
import { formatContent, SUPPORTED_FORMATS } from './json-formats.ts';
import type { JsonPieces } from './json-pieces.ts';
import { count, unsupported } from './json-schema-util.ts';
import { patternContent } from './regex.ts';

export function stringExpr(j: JsonPieces, s: Record<string, unknown>, path: string): Expr {
  const min = count(s.minLength, 'minLength', path) ?? 0;
  const max = count(s.maxLength, 'maxLength', path) ?? Infinity;
  if (max < min) throw unsupported('maxLength', path, 'maxLength is below minLength');
  const bounded = s.minLength !== undefined || s.maxLength !== undefined;
  if (s.pattern !== undefined) {
    if (typeof s.pattern !== 'string') throw unsupported('pattern', path, 'pattern must be a string');
    if (bounded) throw unsupported(s.minLength !== undefined ? 'minLength' : 'maxLength', path, 'length bounds together with pattern are not supported');
    if (s.format !== undefined) checkFormat(s.format, path);
    // The pattern decides the shape. zod writes a pattern beside each format it emits
    // (date-time: no offsets, real leap days), stricter than the format's own grammar.
    return seq(lit('"'), patternContent(s.pattern, `${path}/pattern`), lit('"'));
  }
  if (s.format !== undefined) {
    const content = checkFormat(s.format, path);
    if (bounded) throw unsupported(s.minLength !== undefined ? 'minLength' : 'maxLength', path, 'length bounds together with format are not supported');
    return seq(lit('"'), content, lit('"'));
  }
  return j.string(min, max);
}

function checkFormat(format: unknown, path: string): Expr {
  const content = typeof format === 'string' ? formatContent(format) : undefined;
  if (!content) throw unsupported('format', path, `unsupported format ${JSON.stringify(format)} (supported: ${SUPPORTED_FORMATS.join(', ')})`);
  return content;
}
