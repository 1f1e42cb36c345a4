/**
 * Paired A/B statistics for "did the new placement change anything?". Each pair is one run
 * with the home placement and one with the new placement, started back to back with the same
 * payload, so machine noise (JIT warm-up, a neighbour's load) hits both sides alike. The
 * change is reported with a seeded percentile-bootstrap confidence interval over the pairs;
 * when the interval contains 0 the honest answer is "no significant change". Pure.
 */
import { mulberry32 } from '../random/mulberry32';
import { mean } from '../solve/calculators';
import { percentile } from './measure';

/** A relative change (in %, negative = lower with the new placement) and its confidence interval. */
export interface PairedChange {
  /** (new − home) / home × 100 of the statistic */
  change_pct: number;
  /** [low, high] of the bootstrap interval, in % */
  ci_pct: [number, number];
  /** false when the interval contains 0 */
  significant: boolean;
  pairs: number;
}

export type Statistic = (xs: readonly number[]) => number;
export const meanOf: Statistic = mean;
export const p95Of: Statistic = (xs) => percentile(xs, 95);

const round1 = (x: number) => Math.round(x * 10) / 10;

/**
 * Relative change of `stat` from `home` to `plan` over paired samples (home[i] and plan[i] are
 * one pair), with a `level` (default 95%) bootstrap interval from `resamples` resamples of
 * whole pairs. Seeded: the same inputs give the same interval.
 */
export function pairedChange(home: readonly number[], plan: readonly number[], stat: Statistic = meanOf, opts: { seed?: number; resamples?: number; level?: number } = {}): PairedChange {
  if (home.length !== plan.length) throw new Error(`paired samples differ in length: ${home.length} home, ${plan.length} new`);
  const n = home.length;
  const rel = (h: number, p: number) => (h !== 0 ? ((p - h) / Math.abs(h)) * 100 : p === 0 ? 0 : p > 0 ? Infinity : -Infinity);
  const point = rel(stat(home), stat(plan));
  if (n < 2) return { change_pct: round1(point), ci_pct: [-Infinity, Infinity], significant: false, pairs: n };
  const rnd = mulberry32(opts.seed ?? 1);
  const B = opts.resamples ?? 2000;
  const level = opts.level ?? 0.95;
  const hs = new Array<number>(n);
  const ps = new Array<number>(n);
  const draws: number[] = [];
  for (let b = 0; b < B; b++) {
    for (let i = 0; i < n; i++) {
      const j = Math.floor(rnd() * n);
      hs[i] = home[j];
      ps[i] = plan[j];
    }
    const v = rel(stat(hs), stat(ps));
    if (Number.isFinite(v)) draws.push(v);
  }
  const lo = percentile(draws, ((1 - level) / 2) * 100);
  const hi = percentile(draws, ((1 + level) / 2) * 100);
  return { change_pct: round1(point), ci_pct: [round1(lo), round1(hi)], significant: !(lo <= 0 && hi >= 0), pairs: n };
}

/** Pairs to discard as warm-up: the first 10% (at least 2, and never more than half). */
export function warmupPairs(n: number): number {
  return Math.min(Math.floor(n / 2), Math.max(2, Math.round(n * 0.1)));
}

/**
 * Carbon of one run in a unit a person reads: per 1,000 runs in mg or µg CO2e (or g when large).
 * E.g. 2.16e-7 g per run → "0.216 mg CO2e per 1,000 runs".
 */
export function carbonPer1000(gPerRun: number): string {
  const g = gPerRun * 1000;
  const a = Math.abs(g);
  if (a >= 1) return `${sig(g)} g CO2e per 1,000 runs`;
  if (a >= 1e-3) return `${sig(g * 1e3)} mg CO2e per 1,000 runs`;
  return `${sig(g * 1e6)} µg CO2e per 1,000 runs`;
}

/** Grams per million runs, e.g. 2.16e-7 g per run → "0.216 g per million runs". */
export function gramsPerMillion(gPerRun: number): string {
  return `${sig(gPerRun * 1e6)} g CO2e per million runs`;
}

/** USD per million runs. */
export function usdPerMillion(usdPerRun: number): string {
  return `$${sig(usdPerRun * 1e6)} per million runs`;
}

/** Three significant digits without exponent notation for the ranges people read. */
export function sig(v: number): string {
  if (v === 0 || !Number.isFinite(v)) return String(v);
  const a = Math.abs(v);
  if (a >= 1000) return Math.round(v).toLocaleString('en-US');
  if (a < 1e-3) return v.toExponential(2);
  return Number(v.toPrecision(3)).toString();
}

/** "−12.3% (95% CI −15.0% to −9.6%)" or "no significant change (−0.4%, 95% CI −2.1% to +1.3%)". */
export function describeChange(c: PairedChange): string {
  const pct = (x: number) => (Number.isFinite(x) ? `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(x).toFixed(1)}%` : x > 0 ? '+∞' : '−∞');
  const ci = `95% CI ${pct(c.ci_pct[0])} to ${pct(c.ci_pct[1])}, ${c.pairs} pairs`;
  return c.significant ? `${pct(c.change_pct)} (${ci})` : `no significant change (${pct(c.change_pct)}, ${ci})`;
}
