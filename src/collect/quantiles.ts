/** Deterministic latency distributions: quantile samples instead of random draws, so records are reproducible. */

/** Inverse of the standard normal CDF (Acklam's rational approximation, |error| < 1.2e-9). */
export function inverseNormalCdf(p: number): number {
  if (!(p > 0 && p < 1)) throw new RangeError(`probability must be in (0, 1), got ${p}`);
  const a = [-39.69683028665376, 220.9460984245205, -275.9285104469687, 138.357751867269, -30.66479806614716, 2.506628277459239];
  const b = [-54.47609879822406, 161.5858368580409, -155.6989798598866, 66.80131188771972, -13.28068155288572];
  const c = [-0.007784894002430293, -0.3223964580411365, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [0.007784695709041462, 0.3224671290700398, 2.445134137142996, 3.754408661907416];
  const lo = 0.02425;
  if (p < lo) {
    const q = Math.sqrt(-2 * Math.log(p));
    return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  if (p > 1 - lo) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5]) / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return ((((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q) / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
}

/** The probabilities (i + 0.5) / n, i = 0…n−1: the midpoints of n equal-mass bins. */
export function quantileLevels(n: number): number[] {
  return Array.from({ length: n }, (_, i) => (i + 0.5) / n);
}

/**
 * n samples (seconds) of the snapshot's spread model m · (f + j · exp(σ Z)) taken at equal-mass
 * quantiles, so the list is a faithful, reproducible picture of the distribution.
 */
export function spreadModelSamples(medianS: number, model: { floor_fraction: number; jitter_fraction: number; jitter_sigma: number }, n = 100): number[] {
  return quantileLevels(n).map((p) => medianS * (model.floor_fraction + model.jitter_fraction * Math.exp(model.jitter_sigma * inverseNormalCdf(p))));
}

/**
 * n samples from a distribution known by some percentiles (percent → value): linear interpolation
 * between known points; below the lowest known percentile it falls linearly to 95 % of that value at
 * p = 0, above the highest it stays at the highest value (no invented tail).
 */
export function samplesFromPercentiles(known: Array<[number, number]>, n = 100): number[] {
  const pts = [...known].sort((a, b) => a[0] - b[0]).map(([p, v]) => [p / 100, v] as [number, number]);
  if (pts.length === 0) throw new RangeError('no percentiles');
  // percentiles measured over different windows can cross; keep the curve non-decreasing
  for (let i = 1; i < pts.length; i++) pts[i][1] = Math.max(pts[i][1], pts[i - 1][1]);
  const [p0, v0] = pts[0];
  const out = quantileLevels(n).map((q) => {
    if (q <= p0) return v0 * (0.95 + 0.05 * (q / p0));
    for (let i = 1; i < pts.length; i++) {
      const [pa, va] = pts[i - 1];
      const [pb, vb] = pts[i];
      if (q <= pb) return va + ((vb - va) * (q - pa)) / (pb - pa);
    }
    return pts[pts.length - 1][1];
  });
  return out;
}
