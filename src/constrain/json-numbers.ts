// Bounded numbers: JSON Schema minimum/maximum (and the exclusive forms) as grammar.
// Integer ranges become exact digit patterns ([12-345] -> 1[2-9] | [2-9][0-9] | ...). For
// `number`, fractional values are written without an exponent and must have floor(v)
// within the bounds; non-integer bounds are rounded inwards (minimum 0.5 acts as 1), so
// every output satisfies the schema even where a few valid values cannot be produced.
import { alt, charSet, type Expr, lit, repeat, seq } from './grammar.ts';

/** The grammar's integers have at most 16 digits; bounds beyond that change nothing. */
export const INT_LIMIT = 10n ** 16n - 1n;

export interface NumberBounds {
  readonly minimum?: number;
  readonly maximum?: number;
  readonly exclusiveMinimum?: number;
  readonly exclusiveMaximum?: number;
}

/** Smallest and largest integer value allowed, or null if no integer fits. */
export function integerBounds(b: NumberBounds): [bigint, bigint] | null {
  let lo = -INT_LIMIT, hi = INT_LIMIT;
  if (b.minimum !== undefined) lo = max(lo, ceil(b.minimum));
  if (b.exclusiveMinimum !== undefined) lo = max(lo, floor(b.exclusiveMinimum) + 1n);
  if (b.maximum !== undefined) hi = min(hi, floor(b.maximum));
  if (b.exclusiveMaximum !== undefined) hi = min(hi, ceil(b.exclusiveMaximum) - 1n);
  return lo <= hi ? [lo, hi] : null;
}

/**
 * Range of k = floor(v) for non-integer values v in the bounds: v in (k, k+1) lies within
 * [L, H] (or the exclusive forms) whenever k >= ceil(L) and k + 1 <= floor(H).
 */
function fractionFloorBounds(b: NumberBounds): [bigint, bigint] | null {
  let lo = -INT_LIMIT, hi = INT_LIMIT - 1n;
  const lower = [b.minimum, b.exclusiveMinimum].filter((x): x is number => x !== undefined);
  const upper = [b.maximum, b.exclusiveMaximum].filter((x): x is number => x !== undefined);
  for (const l of lower) lo = max(lo, ceil(l));
  for (const h of upper) hi = min(hi, floor(h) - 1n);
  return lo <= hi ? [lo, hi] : null;
}

/** Integers in [lo, hi], written as JSON (no leading zeros, no "-0"). */
export function integerRange(lo: bigint, hi: bigint): Expr {
  const parts: Expr[] = [];
  if (lo < 0n) parts.push(seq(lit('-'), naturalRange(hi < 0n ? -hi : 1n, -lo)));
  if (hi >= 0n) parts.push(naturalRange(lo > 0n ? lo : 0n, hi));
  return alt(...parts);
}

/** A bounded `number`: integers in range, or a fraction (no exponent) whose floor is in range. */
export function boundedNumber(b: NumberBounds): Expr | null {
  const ints = integerBounds(b);
  const floors = fractionFloorBounds(b);
  const parts: Expr[] = [];
  if (ints) parts.push(integerRange(ints[0], ints[1]));
  if (floors) {
    // A fraction ending in a non-zero digit, so "k.000" (an integer) is never written here.
    const frac = seq(lit('.'), repeat(charSet('0-9'), 0, 15), charSet('1-9'));
    const [klo, khi] = floors;
    // k >= 0: "k.f"; k < 0: v in (k, k+1) is written "-m.f" with m = -k - 1.
    if (khi >= 0n) parts.push(seq(naturalRange(klo > 0n ? klo : 0n, khi), frac));
    if (klo < 0n) parts.push(seq(lit('-'), naturalRange(khi < 0n ? -khi - 1n : 0n, -klo - 1n), frac));
  }
  return parts.length > 0 ? alt(...parts) : null;
}

/** Non-negative integers in [lo, hi]. */
function naturalRange(lo: bigint, hi: bigint): Expr {
  const parts: Expr[] = [];
  for (let len = String(lo).length; len <= String(hi).length; len++) {
    const first = len === 1 ? 0n : 10n ** BigInt(len - 1);
    const last = 10n ** BigInt(len) - 1n;
    const a = max(lo, first), z = min(hi, last);
    if (a <= z) parts.push(sameLength(String(a), String(z)));
  }
  return alt(...parts);
}

/** Digit strings of one length between x and y (x <= y). */
function sameLength(x: string, y: string): Expr {
  if (x === y) return lit(x);
  const rest = x.length - 1;
  const digits = (from: string, to: string) => charSet(from === to ? from : `${from}-${to}`);
  if (rest === 0) return digits(x, y);
  if (x[0] === y[0]) return seq(lit(x[0]), sameLength(x.slice(1), y.slice(1)));
  const any = repeat(charSet('0-9'), rest, rest);
  const xTail = x.slice(1), yTail = y.slice(1);
  if (/^0*$/.test(xTail) && /^9*$/.test(yTail)) return seq(digits(x[0], y[0]), any);
  const parts: Expr[] = [seq(lit(x[0]), sameLength(xTail, '9'.repeat(rest)))];
  const x1 = String(Number(x[0]) + 1), y1 = String(Number(y[0]) - 1);
  if (x1 <= y1) parts.push(seq(digits(x1, y1), any));
  parts.push(seq(lit(y[0]), sameLength('0'.repeat(rest), yTail)));
  return alt(...parts);
}

function ceil(x: number): bigint {
  return BigInt(Math.ceil(clamp(x)));
}

function floor(x: number): bigint {
  return BigInt(Math.floor(clamp(x)));
}

/** Keeps BigInt() away from huge or infinite bounds; the grammar cannot reach them anyway. */
function clamp(x: number): number {
  return Math.max(-1e17, Math.min(1e17, x));
}

const max = (a: bigint, b: bigint) => (a > b ? a : b);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
