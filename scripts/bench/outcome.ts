/**
 * The paper's evaluation as a benchmark (issue 15):
 *
 *   npm run bench -- outcome [--regions us-east-1,us-east-2,us-west-1,us-west-2] [--days 3] [--json]
 *
 * For each of the five paper apps (home us-east-1): deploy it on the local cloud with the given
 * allowed regions, run it 30 times at home, and let CaribouCycle collect and sync, so the solver
 * has the app's real measured durations and sizes. Then, for each of `--days` days of REAL hourly
 * Electricity Maps data (2023, from ../shared/data; days spread evenly over the year), plan every hour
 * with four policies and score every plan with ONE evaluator (the solver's Monte Carlo
 * simulator, 2,000 runs, hour by hour, uniform traffic over the day):
 *
 *   ours                 our stochastic search, 24 hour keys (the default CaribouCycle setting);
 *   caribou_rule         a faithful port of Caribou's stochastic search (src/solve/caribou-rule.ts), per hour;
 *   best_single_region   the one region (all functions) with the lowest carbon over the whole day;
 *   follow_lowest_now    every hour, all functions in the region with the lowest intensity that
 *                        hour (GreenCourier's policy).
 *
 * The forecast is the day's actual data (an oracle): it isolates placement quality from forecast
 * error; Caribou's Holt-Winters forecast would add error to every policy alike.
 * One JSON line with --json:
 *   {"apps":[{"name","carbon_reduction_pct","cost_change_pct","runtime_p95_change_pct","carbon_vs_caribou_rule_pct",
 *             "best_single_region_pct","follow_lowest_now_pct"}], "mean_carbon_reduction_pct", "target", …}
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { openLocalCloud } from '../../src/cloud/local';
import { runCycle } from '../../src/cli/commands/cycle';
import { carbonSource, snapshotRegions } from '../../src/data/snapshot';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { EXAMPLES_DIR, SAMPLE_PAYLOADS } from '../../src/quickstart';
import { compileModel, hourData, loadSolveInput, Simulator, solveWorkflow, type SolveInput } from '../../src/solve';
import { caribouRuleSolve } from '../../src/solve/caribou-rule';

const APPS = ['image_processing', 'map_reduce', 'text_2_speech_censoring', 'video_analytics', 'dna_visualization'];
const DATA = path.resolve(__dirname, '..', '..', '..', 'shared', 'data', 'carbon', 'hourly_electricitymaps');
const YEAR = 2023;
/** Day i of n: spread evenly over the year (a single season would flatter or punish one region's hydro or solar). */
function dayStart(i: number, n: number): number {
  return Date.UTC(YEAR, 0, 1) + Math.floor((365 * (i + 0.5)) / n) * 86400000;
}
const RUNS = 2000;

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** Region → hourly LCA intensity (ms → gCO2e/kWh) from the shared Electricity Maps exports. */
function hourlySeries(region: string): Map<number, number> {
  const zone = carbonSource(region).zone;
  const file = path.join(DATA, `${zone}_${YEAR}_hourly.csv`);
  if (!fs.existsSync(file)) throw new Error(`no ${YEAR} hourly data for ${region} (zone ${zone}): ${file} is missing; the outcome benchmark needs ../shared/data`);
  const out = new Map<number, number>();
  for (const line of fs.readFileSync(file, 'utf8').split('\n').slice(1)) {
    const c = line.split(',');
    if (c.length < 6) continue;
    const v = Number(c[5]);
    if (Number.isFinite(v) && c[5] !== '') out.set(Date.parse(c[0].replace(' ', 'T') + 'Z'), v);
  }
  return out;
}

/** The input with the carbon records replaced by day `d`'s real hourly values (overall = the day's mean). */
function withDay(input: SolveInput, series: Map<string, Map<number, number>>, start: number): SolveInput {
  const carbon: SolveInput['carbon'] = {};
  for (const [region, rec] of Object.entries(input.carbon)) {
    const s = series.get(region);
    if (!s) {
      carbon[region] = rec;
      continue;
    }
    const hours = Array.from({ length: 24 }, (_, h) => s.get(start + h * 3600000));
    // a blank hour keeps the snapshot's profile value for it (US-NW-PACW 2023 lacks 24 hours of 6 September)
    const vals = hours.map((v, h) => v ?? rec.averages[String(h)]?.carbon_intensity ?? rec.averages.overall!.carbon_intensity);
    const averages: Record<string, { carbon_intensity: number }> = { overall: { carbon_intensity: vals.reduce((a, b) => a + b, 0) / 24 } };
    vals.forEach((v, h) => (averages[String(h)] = { carbon_intensity: v }));
    carbon[region] = { ...rec, averages } as SolveInput['carbon'][string];
  }
  return { ...input, carbon };
}

/** Deploys an app on a fresh local cloud, runs it at home, and returns the solver's input after CaribouCycle's collect and sync. */
async function appInput(app: string, regions: string[], dir: string): Promise<SolveInput> {
  const day = new Date(Date.UTC(2026, 10, 20));
  const cloud = await openLocalCloud({ home: path.join(dir, app), start: day });
  try {
    const project = await loadWorkflowProject(path.join(EXAMPLES_DIR, app));
    const home = project.config.home_region.region;
    project.config = { ...project.config, allowed_regions: [...new Set([home, ...regions])].sort(), disallowed_regions: [] };
    const id = await deployWorkflow(cloud, project);
    const payload = SAMPLE_PAYLOADS[app];
    await runMany(cloud, id, Array.from({ length: 30 }, (_, i) => payload(i)), { at: new Date(day.getTime() + 60_000), spacingS: 2400 });
    cloud.advanceTo(new Date(day.getTime() + 86400000 + 3600000));
    const c = await runCycle(cloud, { force: true, workflows: [id], solves_per_day: 1 });
    if (c.status !== 'SUCCEEDED') throw new Error(`CaribouCycle for ${app} failed: ${c.error ?? c.status}`);
    return await loadSolveInput(cloud.tables, id);
  } finally {
    await cloud.close();
  }
}

interface Totals {
  carbon: number;
  cost: number;
  p95: number;
}

async function main(): Promise<number> {
  const json = process.argv.includes('--json');
  const regions = (arg('--regions') ?? 'us-east-1,us-east-2,us-west-1,us-west-2').split(',').map((s) => s.trim()).filter(Boolean);
  const days = Number(arg('--days') ?? '3');
  if (!Number.isInteger(days) || days < 1 || days > 30) {
    console.error(`--days must be an integer 1 to 30; got ${arg('--days')}`);
    return 1;
  }
  const known = new Set(snapshotRegions().map((r) => r.code));
  const bad = regions.filter((r) => !known.has(r));
  if (bad.length) {
    console.error(`--regions: not simulated regions: ${bad.join(', ')}`);
    return 1;
  }
  const say = (s: string) => !json && console.log(s);
  const t0 = Date.now();
  const series = new Map(regions.map((r) => [r, hourlySeries(r)]));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-outcome-'));
  const HOURS = Array.from({ length: 24 }, (_, h) => String(h));
  const apps: Array<Record<string, number | string>> = [];
  try {
    for (const app of APPS) {
      const base = await appInput(app, regions, dir);
      say(`${app}: measured at home (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
      const sum: Record<string, Totals> = {};
      const add = (k: string, m: { carbon: { mean: number }; cost: { mean: number }; runtime: { tail: number } }) => {
        const s = (sum[k] ??= { carbon: 0, cost: 0, p95: 0 });
        s.carbon += m.carbon.mean;
        s.cost += m.cost.mean;
        s.p95 = Math.max(s.p95, m.runtime.tail); // the worst hour's p95
      };
      for (let d = 0; d < days; d++) {
        const input = withDay(base, series, dayStart(d, days));
        const model = compileModel(input);
        const sim = new Simulator(model);
        const idx = (region: string) => model.regions.indexOf(region);
        const fromPlacement = (p: Record<string, string>) => model.instances.map((n) => idx(p[n]));
        const allIn = (r: number) => model.instances.map((_, i) => (model.permitted[i].includes(r) ? r : model.homeIndex));
        const score = (dep: number[], h: number) => sim.evaluate(dep, hourData(input, model, String(h)), { runs: RUNS, tail: 95, seed: 1000 + d });
        const ours = solveWorkflow(input, { algorithm: 'stochastic', hours: HOURS, seed: 7 + d });
        // best single region for the whole day (instances not allowed there stay home)
        const candidates = regions.map(idx).filter((r) => r >= 0);
        let bestR = model.homeIndex;
        let bestC = Infinity;
        for (const r of candidates) {
          let c = 0;
          for (let h = 0; h < 24; h++) c += score(allIn(r), h).carbon.mean;
          if (c < bestC) [bestC, bestR] = [c, r];
        }
        for (let h = 0; h < 24; h++) {
          const home = model.instances.map(() => model.homeIndex);
          add('home', score(home, h));
          add('ours', score(fromPlacement(ours.placements[String(h)]), h));
          add('caribou_rule', score(caribouRuleSolve(input, { hour: String(h), seed: 100 * d + h }, model).deployment, h));
          add('best_single_region', score(allIn(bestR), h));
          const now = candidates.reduce((a, r) => (input.carbon[model.regions[r]].averages[String(h)].carbon_intensity < input.carbon[model.regions[a]].averages[String(h)].carbon_intensity ? r : a), model.homeIndex);
          add('follow_lowest_now', score(allIn(now), h));
        }
      }
      const pct = (a: number, b: number) => Math.round(((a - b) / b) * 1000) / 10;
      const h = sum.home;
      const row = {
        name: app,
        carbon_reduction_pct: -pct(sum.ours.carbon, h.carbon),
        cost_change_pct: pct(sum.ours.cost, h.cost),
        runtime_p95_change_pct: pct(sum.ours.p95, h.p95),
        carbon_vs_caribou_rule_pct: pct(sum.ours.carbon, sum.caribou_rule.carbon),
        caribou_rule_carbon_reduction_pct: -pct(sum.caribou_rule.carbon, h.carbon),
        best_single_region_pct: -pct(sum.best_single_region.carbon, h.carbon),
        follow_lowest_now_pct: -pct(sum.follow_lowest_now.carbon, h.carbon),
        follow_lowest_now_p95_change_pct: pct(sum.follow_lowest_now.p95, h.p95),
      };
      apps.push(row);
      say(`  ${JSON.stringify(row)}`);
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const mean = (k: string) => Math.round((apps.reduce((a, r) => a + (r[k] as number), 0) / apps.length) * 10) / 10;
  const meanCut = mean('carbon_reduction_pct');
  const worstP95 = Math.max(...apps.map((r) => r.runtime_p95_change_pct as number));
  const worstVsCaribou = Math.max(...apps.map((r) => r.carbon_vs_caribou_rule_pct as number));
  const out = {
    apps,
    regions,
    home: 'us-east-1',
    days,
    carbon_data: `Electricity Maps ${YEAR} hourly LCA`,
    dates: Array.from({ length: days }, (_, d) => new Date(dayStart(d, days)).toISOString().slice(0, 10)),
    mean_carbon_reduction_pct: meanCut,
    mean_caribou_rule_reduction_pct: mean('caribou_rule_carbon_reduction_pct'),
    mean_best_single_region_pct: mean('best_single_region_pct'),
    mean_follow_lowest_now_pct: mean('follow_lowest_now_pct'),
    target: { mean_cut_at_least_40: meanCut >= 40, p95_within_10: worstP95 <= 10, never_worse_than_caribou_rule: worstVsCaribou <= 0 },
    seconds: Math.round((Date.now() - t0) / 1000),
  };
  if (json) console.log(JSON.stringify(out));
  else {
    console.log(`\nmean carbon cut ${meanCut}% (Caribou's search ${out.mean_caribou_rule_reduction_pct}%, best single region ${out.mean_best_single_region_pct}%, follow lowest now ${out.mean_follow_lowest_now_pct}%); worst p95 change ${worstP95}%; worst vs Caribou's search ${worstVsCaribou}%`);
    console.log(`target met: ${JSON.stringify(out.target)}; ${out.seconds} s`);
  }
  return 0;
}

main().then(
  (c) => (process.exitCode = c),
  (e) => {
    console.error(`error: ${(e as Error).message}`);
    process.exitCode = 2;
  },
);
