// String formats the schema compiler supports, as the grammar of the string's content
// (without quotes). Simple forms: what a model is expected to write, not every edge case
// the RFCs admit (no leap-second checks, no quoted e-mail local parts, no IP literals).
// Every part is bounded (an e-mail local part has at most 64 characters, as RFC 5321 says),
// so a model cannot loop inside a format.
import { alt, charSet, type Expr, lit, repeat, seq } from './grammar.ts';

const d = charSet('0-9');
const hex = charSet('0-9a-fA-F');
const two = (first: string, second: string) => seq(charSet(first), charSet(second));

const month = alt(seq(lit('0'), charSet('1-9')), two('1', '0-2'));
const day = alt(seq(lit('0'), charSet('1-9')), two('12', '0-9'), two('3', '01'));
const date = seq(d, d, d, d, lit('-'), month, lit('-'), day);
const hour = alt(two('01', '0-9'), two('2', '0-3'));
const minute = two('0-5', '0-9');
const offset = alt(charSet('Zz'), seq(charSet('+-'), hour, lit(':'), minute));
const time = seq(hour, lit(':'), minute, lit(':'), minute, repeat(seq(lit('.'), repeat(d, 1, 9)), 0, 1), offset);
const hexes = (n: number) => repeat(hex, n, n);
const uuid = seq(hexes(8), lit('-'), hexes(4), lit('-'), hexes(4), lit('-'), hexes(4), lit('-'), hexes(12));
const label = seq(charSet('a-zA-Z0-9'), repeat(charSet('a-zA-Z0-9-'), 0, 62));
const email = seq(
  repeat(charSet("a-zA-Z0-9.!#$%&'*+/=?^_`{|}~-"), 1, 64), lit('@'),
  label, repeat(seq(lit('.'), label), 0, 4), lit('.'), repeat(charSet('a-zA-Z'), 2, 24),
);

const FORMATS: Readonly<Record<string, Expr>> = {
  date,
  time,
  'date-time': seq(date, charSet('Tt'), time),
  uuid,
  email,
};

export const SUPPORTED_FORMATS: readonly string[] = Object.keys(FORMATS);

/** The content grammar of a format, or undefined if unsupported. */
export function formatContent(format: string): Expr | undefined {
  return Object.hasOwn(FORMATS, format) ? FORMATS[format] : undefined;
}
