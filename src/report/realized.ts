/**
 * Realized, not only predicted (issue 15): the runs the log syncer kept, priced per UTC day with
 * the solver's terms (src/quickstart/price), beside their home counterfactual — the same run,
 * same durations and sizes, re-priced with every function at home — and beside what the solver
 * predicted for the applied plan. So a user sees what the placement actually saved and how good
 * the predictions were. Computed from the sync summary when asked (`caribou status --realized`),
 * not stored: the summary already keeps the runs (up to its 30-day / 5,000-run bounds). Pure.
 */
import type { DeploymentMetrics } from '../model/staging';
import type { RunSample } from '../model/workflow-summary';
import { priceSample } from '../quickstart/price';
import type { SolveInput } from '../solve';

export interface RealizedDay {
  day: string;
  runs: number;
  /** runs that ran anywhere but home */
  moved_runs: number;
  /** means per run: as run, and the same runs priced at home */
  realized: { carbon: number; cost: number; runtime: number };
  home: { carbon: number; cost: number; runtime: number };
  carbon_change_pct: number;
  cost_change_pct: number;
  /** what the solver predicted for the applied plan (mean over its hour keys), or null without one */
  predicted_carbon_change_pct: number | null;
}

/** The run re-placed at home: every execution and message in the home region (durations and sizes kept). */
export function atHome(s: RunSample, home: string): RunSample {
  return {
    ...s,
    entry: { ...s.entry, region: home },
    executions: s.executions.map((x) => ({ ...x, region: home })),
    transmissions: s.transmissions.map((t) => ({ ...t, from_region: home, to_region: home })),
  };
}

const pct = (a: number, b: number) => (b ? Math.round(((a - b) / b) * 1000) / 10 : 0);

/** Mean predicted carbon change of an applied plan's hour keys. */
export function predictedCarbonChange(metrics: Record<string, { chosen: DeploymentMetrics; home: DeploymentMetrics }> | undefined): number | null {
  const hs = Object.values(metrics ?? {});
  if (!hs.length) return null;
  const c = hs.reduce((a, h) => a + h.chosen.carbon.mean, 0);
  const h = hs.reduce((a, x) => a + x.home.carbon.mean, 0);
  return pct(c, h);
}

/** Realized figures per UTC day, oldest first. */
export function realizedByDay(input: SolveInput, runs: readonly RunSample[], predicted: { pct: number | null; since: string } | null = null): RealizedDay[] {
  const home = input.config.home_region.region;
  const days = new Map<string, RunSample[]>();
  for (const r of runs) {
    const d = new Date(r.start_ms).toISOString().slice(0, 10);
    const l = days.get(d);
    if (l) l.push(r);
    else days.set(d, [r]);
  }
  return [...days.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([day, rs]) => {
      const real = rs.map((r) => priceSample(input, r));
      const cf = rs.map((r) => priceSample(input, atHome(r, home)));
      const mean = (xs: typeof real, k: 'carbon' | 'cost' | 'runtime') => xs.reduce((a, x) => a + x[k], 0) / xs.length;
      const realized = { carbon: mean(real, 'carbon'), cost: mean(real, 'cost'), runtime: mean(real, 'runtime') };
      const h = { carbon: mean(cf, 'carbon'), cost: mean(cf, 'cost'), runtime: mean(cf, 'runtime') };
      return {
        day,
        runs: rs.length,
        moved_runs: rs.filter((r) => r.executions.some((x) => x.region !== home)).length,
        realized,
        home: h,
        carbon_change_pct: pct(realized.carbon, h.carbon),
        cost_change_pct: pct(realized.cost, h.cost),
        // the prediction belongs to the days the plan was live (from the day it was switched)
        predicted_carbon_change_pct: predicted && day >= predicted.since.slice(0, 10) ? predicted.pct : null,
      };
    });
}

/** The per-day table for people (carbon in mg CO2e per 1,000 runs). */
export function describeRealized(days: readonly RealizedDay[]): string {
  if (!days.length) return 'realized: no synced runs yet (run caribou log_sync)';
  const f = (x: number) => (x * 1e6).toPrecision(3);
  const s = (x: number | null) => (x === null ? '–' : `${x > 0 ? '+' : ''}${x}%`);
  const lines = ['realized per day (synced runs priced as run vs the same runs at home; carbon in mg CO2e per 1,000 runs):', '  day         runs  moved  as run   at home  carbon  predicted  cost'];
  for (const d of days)
    lines.push(
      `  ${d.day}  ${String(d.runs).padStart(5)}  ${String(d.moved_runs).padStart(5)}  ${f(d.realized.carbon).padStart(7)}  ${f(d.home.carbon).padStart(7)}  ${s(d.carbon_change_pct).padStart(6)}  ${s(d.predicted_carbon_change_pct).padStart(9)}  ${s(d.cost_change_pct)}`,
    );
  return lines.join('\n');
}
