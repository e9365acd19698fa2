// Scale searches used by ggml's reference K-quantizers, recomputed in f32 (Math.fround
// after each operation, in C's evaluation order) so the chosen quants match llama.cpp's
// when its build does not fuse multiply-adds.
import { f32, nearestInt } from './codec.ts';

const GROUP_MAX_EPS = f32(1e-15);

/**
 * Asymmetric search (make_qkx2_quants): x ≈ scale * L - theMin with L in [0, nmax],
 * minimising the `weights`-weighted squared error over nstep + 1 candidate scales.
 * Writes L[lo + i] for i < n; returns [scale, theMin] (theMin >= 0).
 */
export function makeQkx2Quants(
  n: number, nmax: number, x: Float32Array, xo: number, weights: Float32Array,
  L: Uint8Array, lo: number, rmin: number, rdelta: number, nstep: number,
): [number, number] {
  let min = x[xo], max = x[xo];
  let sumW = weights[0];
  let sumX = f32(sumW * x[xo]);
  for (let i = 1; i < n; i++) {
    const v = x[xo + i];
    if (v < min) min = v;
    if (v > max) max = v;
    sumW = f32(sumW + weights[i]);
    sumX = f32(sumX + f32(weights[i] * v));
  }
  if (min > 0) min = 0;
  if (max === min) {
    L.fill(0, lo, lo + n);
    return [0, -min];
  }
  let iscale = f32(nmax / f32(max - min));
  let scale = f32(1 / iscale);
  let bestError = 0;
  for (let i = 0; i < n; i++) {
    const l = Math.max(0, Math.min(nmax, nearestInt(f32(iscale * f32(x[xo + i] - min)))));
    L[lo + i] = l;
    const diff = f32(f32(f32(scale * l) + min) - x[xo + i]);
    bestError = f32(bestError + f32(weights[i] * f32(diff * diff)));
  }
  const aux = new Uint8Array(n);
  for (let is = 0; is <= nstep; is++) {
    // As in the reference, a better (scale, min) found earlier moves `min` for later steps.
    iscale = f32(f32(f32(rmin + f32(f32(rdelta) * is)) + nmax) / f32(max - min));
    let sumL = 0, sumL2 = 0, sumXL = 0;
    for (let i = 0; i < n; i++) {
      const l = Math.max(0, Math.min(nmax, nearestInt(f32(iscale * f32(x[xo + i] - min)))));
      aux[i] = l;
      const wl = f32(weights[i] * l);
      sumL = f32(sumL + wl);
      sumL2 = f32(sumL2 + f32(wl * l));
      sumXL = f32(sumXL + f32(wl * x[xo + i]));
    }
    const D = f32(f32(sumW * sumL2) - f32(sumL * sumL));
    if (!(D > 0)) continue;
    let thisScale = f32(f32(f32(sumW * sumXL) - f32(sumX * sumL)) / D);
    let thisMin = f32(f32(f32(sumL2 * sumX) - f32(sumL * sumXL)) / D);
    if (thisMin > 0) {
      thisMin = 0;
      thisScale = f32(sumXL / sumL2);
    }
    let err = 0;
    for (let i = 0; i < n; i++) {
      const diff = f32(f32(f32(thisScale * aux[i]) + thisMin) - x[xo + i]);
      err = f32(err + f32(weights[i] * f32(diff * diff)));
    }
    if (err < bestError) {
      L.set(aux, lo);
      bestError = err;
      scale = thisScale;
      min = thisMin;
    }
  }
  return [scale, -min];
}

/** Σ w·x·l and Σ w·l² over L = clamp(round(iscale·x)), w = x² (rmse_type 1). */
function fit(n: number, nmax: number, x: Float32Array, xo: number, iscale: number, L?: Uint8Array, lo = 0) {
  let sumlx = 0, suml2 = 0;
  for (let i = 0; i < n; i++) {
    const v = x[xo + i];
    const l = Math.max(-nmax, Math.min(nmax - 1, nearestInt(f32(iscale * v))));
    if (L) L[lo + i] = l + nmax;
    const w = f32(v * v);
    sumlx = f32(sumlx + f32(f32(w * v) * l));
    suml2 = f32(suml2 + f32(f32(w * l) * l));
  }
  return [sumlx, suml2];
}

/**
 * Symmetric search (make_qx_quants, rmse_type 1): x ≈ scale * (L - nmax) with L in
 * [0, 2·nmax), weights x². Writes L[lo + i]; returns scale (signed; 0 for an all-zero group).
 */
export function makeQxQuants(n: number, nmax: number, x: Float32Array, xo: number, L: Uint8Array, lo: number): number {
  let max = 0, amax = 0;
  for (let i = 0; i < n; i++) {
    const ax = Math.abs(x[xo + i]);
    if (ax > amax) { amax = ax; max = x[xo + i]; }
  }
  if (amax < GROUP_MAX_EPS) {
    L.fill(0, lo, lo + n);
    return 0;
  }
  let [sumlx, suml2] = fit(n, nmax, x, xo, f32(-nmax / max), L, lo);
  let scale = suml2 ? f32(sumlx / suml2) : 0;
  let best = f32(scale * sumlx);
  for (let is = -9; is <= 9; is++) {
    if (is === 0) continue;
    const iscale = f32(-f32(nmax + f32(f32(0.1) * is)) / max);
    [sumlx, suml2] = fit(n, nmax, x, xo, iscale);
    if (suml2 > 0 && f32(sumlx * sumlx) > f32(best * suml2)) {
      fit(n, nmax, x, xo, iscale, L, lo);
      scale = f32(sumlx / suml2);
      best = f32(scale * sumlx);
    }
  }
  return scale;
}
