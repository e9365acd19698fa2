// Character classes as sorted, merged, inclusive code-point ranges: [lo0, hi0, lo1, hi1, ...].
// Every grammar terminal is one of these (a literal is a sequence of one-point classes), so
// the matcher needs only `classHas` and `classIntersects` (the latter for a UTF-8 character
// whose first bytes fix a range of possible code points).

export const MAX_CODE_POINT = 0x10ffff;

export type Ranges = readonly number[];

/** Sorts and merges [lo, hi] pairs (overlapping or adjacent ones become one). */
export function normalizeRanges(pairs: readonly number[]): number[] {
  const list: [number, number][] = [];
  for (let i = 0; i < pairs.length; i += 2) if (pairs[i] <= pairs[i + 1]) list.push([pairs[i], pairs[i + 1]]);
  list.sort((a, b) => a[0] - b[0]);
  const out: number[] = [];
  for (const [lo, hi] of list) {
    const n = out.length;
    if (n > 0 && lo <= out[n - 1] + 1) out[n - 1] = Math.max(out[n - 1], hi);
    else out.push(lo, hi);
  }
  return out;
}

/** All code points not in `ranges` (which must be normalized). */
export function negateRanges(ranges: Ranges): number[] {
  const out: number[] = [];
  let next = 0;
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i] > next) out.push(next, ranges[i] - 1);
    next = ranges[i + 1] + 1;
  }
  if (next <= MAX_CODE_POINT) out.push(next, MAX_CODE_POINT);
  return out;
}

export function classHas(ranges: Ranges, cp: number): boolean {
  // Classes are short (a handful of ranges): a linear scan beats a binary search here.
  for (let i = 0; i < ranges.length; i += 2) {
    if (cp < ranges[i]) return false;
    if (cp <= ranges[i + 1]) return true;
  }
  return false;
}

export function classIntersects(ranges: Ranges, lo: number, hi: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i] > hi) return false;
    if (ranges[i + 1] >= lo) return true;
  }
  return false;
}

/** Whether every code point in [lo, hi] is in the class. */
export function classContains(ranges: Ranges, lo: number, hi: number): boolean {
  for (let i = 0; i < ranges.length; i += 2) {
    if (ranges[i] > lo) return false;
    if (ranges[i + 1] >= lo) return ranges[i + 1] >= hi;
  }
  return false;
}
