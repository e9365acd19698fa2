// Runtime-agnostic assertions (the kernel suite runs under Node, Bun, Deno and Chromium,
// so it cannot use node:assert). Each throws an Error that says where values differ.

export class AssertionError extends Error {
  override name = 'AssertionError';
}

export function assert(cond: unknown, msg: string): asserts cond {
  if (!cond) throw new AssertionError(msg);
}

export interface Tolerance {
  /** Absolute tolerance. */
  atol: number;
  /** Relative tolerance (fraction of |expected|). */
  rtol?: number;
}

/** Elementwise |a - e| <= atol + rtol * |e|; reports the worst element. Returns max abs error. */
export function assertClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tol: Tolerance, what: string): number {
  assert(actual.length === expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  let worst = -1;
  let worstExcess = 0;
  let maxErr = 0;
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i];
    const e = expected[i];
    const err = Math.abs(a - e);
    if (!(err <= maxErr) || Number.isNaN(a)) maxErr = Number.isNaN(a) ? Infinity : Math.max(maxErr, err);
    const excess = Number.isNaN(a) !== Number.isNaN(e) ? Infinity : err - (tol.atol + (tol.rtol ?? 0) * Math.abs(e));
    if (excess > worstExcess) {
      worstExcess = excess;
      worst = i;
    }
  }
  assert(
    worst < 0,
    `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} (atol ${tol.atol}, rtol ${tol.rtol ?? 0}); max abs error ${maxErr}`,
  );
  return maxErr;
}

export function assertEqualArrays(actual: ArrayLike<number>, expected: ArrayLike<number>, what: string): void {
  assert(actual.length === expected.length, `${what}: length ${actual.length} != ${expected.length}`);
  for (let i = 0; i < expected.length; i++) {
    assert(actual[i] === expected[i], `${what}: element ${i} is ${actual[i]}, expected ${expected[i]}`);
  }
}
