/**
 * The quickstart: the whole Caribou story on the embedded local cloud, in about a minute.
 *
 *  1. a fresh state folder (only one the quickstart made: see ./state-folder); deploy an example workflow with home us-east-1;
 *  2. run it a few hundred times through one day (everything at home: no plan yet);
 *  3. at 01:00 the next day run CaribouCycle (collect → sync logs → decide → solve → migrate);
 *  4. run it again through the following day, now routed by the new placement decision;
 *  5. compare: placement per function and hour; mean and tail of carbon, cost and runtime,
 *     estimated by the solver and measured in the local cloud; write an HTML report.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { ExecutionEvent } from '../cloud/ports';
import { openLocalCloud, type LocalCloud } from '../cloud/local';
import { LocalCloudBusyError } from '../cloud/local/lock';
import { snapshotRegions, SNAPSHOT_ATTRIBUTION } from '../data/snapshot';
import { deployWorkflow } from '../deploy/deployer';
import { loadWorkflowProject } from '../deploy/project';
import { runMany, type RunResult } from '../deploy/run';
import type { SolveTuning } from '../handlers/io';
import { readMigrationRecord } from '../migrate/migrator';
import { UserError } from '../model/errors';
import { WorkflowPlacementDecision, routeForRun } from '../model/placement';
import { decodeOrThrow } from '../model/decode';
import type { DeploymentMetrics } from '../model/staging';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { runCycle, type CycleOutcome } from '../cli/commands/cycle';
import { renderReport, type MetricSet, type ReportData } from '../report/html';
import { loadSolveInput, type SolveInput } from '../solve';
import { summarize } from './measure';
import { checkReportTarget, checkStateFolder, claimStateFolder, isOwnReport } from './state-folder';
import { carbonPer1000, describeChange, gramsPerMillion, meanOf, p95Of, pairedChange, warmupPairs, type PairedChange } from './ab';
import { priceSample, samplesFromLogs, type PricedRun } from './price';
import { packageRoot } from '../paths';

/** The repository's examples folder. */
export const EXAMPLES_DIR = path.join(packageRoot(), 'examples');

/** A sample payload for run i of each example (from the examples' READMEs). */
export const SAMPLE_PAYLOADS: Record<string, (i: number) => unknown> = {
  small_sync_example: (i) => ({ message: `hello ${i}`, number: (i % 7) - 1 }),
  map_reduce: () => ({ document: 'reviews' }),
  text_2_speech_censoring: () => ({ document: 'long' }),
  video_analytics: () => ({ video: 'parking_evening', fanout: 'auto' }),
  image_processing: () => ({ transforms: ['flip', 'rotate', 'blur', 'greyscale', 'resize'] }),
  dna_visualization: () => ({ sequence: 'sample', window: 100 }),
};

export interface QuickstartOptions {
  /** the state folder (default ./.caribou/quickstart): new, empty, or one a quickstart made; its cloud is cleared first */
  dir?: string;
  /** example under examples/ (default small_sync_example) */
  example?: string;
  /** runs before and after the cycle */
  before?: number;
  after?: number;
  /** the UTC day of the first runs (default: yesterday) */
  day?: Date;
  /** report path (default <dir>/report.html) */
  report?: string;
  /**
   * replace the example's allowed regions (home is always kept), e.g. us-east-1, us-west-1,
   * us-west-2: without ca-central-1's hydro power the plan follows California's solar hours
   */
  regions?: string[];
  /**
   * hour slots to solve (default 24, so the placement through the day is visible and the demo
   * does not hinge on how fast this machine runs the functions); "auto" leaves it to the budget
   */
  solvesPerDay?: number | 'auto';
  /** solver tuning handed to the cycle */
  solve?: SolveTuning;
  /** CaribouCycle events, as they happen */
  onEvent?: (e: ExecutionEvent) => void;
  /** progress lines for people */
  log?: (line: string) => void;
}

/** The one-line summary `quickstart --json` prints, plus what the table and the report show. */
export interface QuickstartResult {
  workflow_id: string;
  home: { carbon: number; cost: number; runtime_p95: number };
  optimized: { carbon: number; cost: number; runtime_p95: number };
  /** measured, paired A/B: positive = less carbon with the new placement */
  carbon_reduction_pct: number;
  /** 95% bootstrap interval of carbon_reduction_pct */
  carbon_reduction_ci_pct: [number, number];
  /** false: the interval contains 0, i.e. no significant change */
  significant: boolean;
  migrated_instances: number;
  report: string;
  detail: {
    headline: string;
    ab: { carbon: PairedChange; cost: PairedChange; runtime_p95: PairedChange; identical_placements: boolean; warmup_pairs: number; pairs: number };
    placement: Record<string, string[]>;
    measured: { home: MetricSet; optimized: MetricSet; runs: { home: number; optimized: number } };
    estimated?: { home: MetricSet; optimized: MetricSet };
    cycle: { status: string; seconds: number; error?: string };
    timings_s: Record<string, number>;
    failed_runs: number;
    routed_to: Record<string, number>;
  };
}

/** Yesterday, 00:00 UTC. */
export function defaultDay(now = new Date()): Date {
  const d = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  return new Date(d.getTime() - 86400000);
}

/** Runs the quickstart end to end; returns the summary and writes the report. */
export async function quickstart(opts: QuickstartOptions = {}): Promise<QuickstartResult> {
  const log = opts.log ?? (() => undefined);
  const example = opts.example ?? 'small_sync_example';
  const payload = SAMPLE_PAYLOADS[example];
  if (!payload) throw new UserError(`unknown example "${example}": one of ${Object.keys(SAMPLE_PAYLOADS).join(', ')}`);
  const dir = path.resolve(opts.dir ?? path.join(process.cwd(), '.caribou', 'quickstart'));
  const before = opts.before ?? 240;
  const after = opts.after ?? 240;
  const day = opts.day ?? defaultDay();
  for (const [k, v] of [['before', before], ['after', after]] as const)
    if (!Number.isInteger(v) || v < 1) throw new UserError(`quickstart: ${k} must be a whole number ≥ 1; got ${v}`);
  if (Number.isNaN(day.getTime())) throw new UserError('quickstart: day is not a valid date');
  const spd = opts.solvesPerDay ?? 24;
  if (spd !== 'auto' && ![1, 2, 3, 4, 6, 8, 12, 24].includes(spd)) throw new UserError(`--solves-per-day must be one of 1,2,3,4,6,8,12,24 or auto; got "${spd}"`);
  const timings: Record<string, number> = {};
  let t = Date.now();
  const lap = (k: string) => {
    timings[k] = (Date.now() - t) / 1000;
    t = Date.now();
  };

  // every option is checked before anything is touched: a bad one leaves the folder as it was
  const project = await loadWorkflowProject(path.join(EXAMPLES_DIR, example));
  if (opts.regions) {
    const home = project.config.home_region.region;
    const known = new Set(snapshotRegions().map((r) => r.code));
    const bad = opts.regions.filter((r) => !known.has(r));
    if (bad.length) throw new UserError(`not simulated regions: ${bad.join(', ')} (see src/data/README.md for the list)`);
    // the deployed config (what the manager and the solver read), not the example's files
    project.config = { ...project.config, allowed_regions: [...new Set([home, ...opts.regions])].sort(), disallowed_regions: [] };
  }
  const reportPath = path.resolve(opts.report ?? path.join(dir, 'report.html'));
  checkStateFolder(dir);
  checkReportTarget(reportPath);

  // a fresh cloud makes the quickstart re-runnable and its numbers repeatable; it is cleared under
  // its lock, so a quickstart running on the same folder is refused, never wiped
  claimStateFolder(dir);
  let cloud: LocalCloud;
  try {
    cloud = await openLocalCloud({ home: path.join(dir, 'cloud'), start: day, fresh: true, lockWaitMs: 0 });
  } catch (err) {
    if (err instanceof LocalCloudBusyError)
      throw new UserError(`--dir ${dir} is in use by another caribou process (pid ${err.holderPid}), e.g. another quickstart; nothing was touched. Wait for it to finish, or give another --dir`);
    throw err;
  }
  try {
    const ownReport = path.join(dir, 'report.html');
    if (isOwnReport(ownReport)) fs.rmSync(ownReport, { force: true }); // the last run's report is stale now
    if (opts.regions) log(`allowed regions for this quickstart: ${project.config.allowed_regions!.join(', ')}`);
    if (project.config.home_region.region !== 'us-east-1') log(`note: ${example}'s home region is ${project.config.home_region.region}`);
    const id = await deployWorkflow(cloud, project);
    log(`deployed ${id} to its home region ${project.config.home_region.region} (local cloud in ${path.relative(process.cwd(), dir) || dir})`);
    lap('deploy');

    // 1. a day of runs at home
    const spacingBefore = Math.floor(86400 / Math.max(1, before));
    log(`running ${id} ${before} times through ${day.toISOString().slice(0, 10)} (every ${spacingBefore} s of virtual time)…`);
    const runsBefore = await runMany(cloud, id, Array.from({ length: before }, (_, i) => payload(i)), { at: new Date(day.getTime() + 60_000), spacingS: spacingBefore });
    lap('runs_before');

    // 2. CaribouCycle at 01:00 the next day, as the daily schedule would
    const cycleAt = new Date(day.getTime() + 86400000 + 3600000);
    cloud.advanceTo(cycleAt);
    log(`running CaribouCycle at ${cycleAt.toISOString()}…`);
    const cycle: CycleOutcome = await runCycle(
      cloud,
      { force: true, workflows: [id], ...(spd === 'auto' ? {} : { solves_per_day: spd }), ...(opts.solve ? { solve: opts.solve } : {}) },
      opts.onEvent,
    );
    const verdict = (cycle.output as { decide?: { decisions?: Array<{ action: string; reason: string }> } } | undefined)?.decide?.decisions?.[0];
    if (verdict) log(`deployment manager: ${verdict.action} — ${verdict.reason}`);
    lap('cycle');
    if (cycle.status !== 'SUCCEEDED') throw new Error(`CaribouCycle failed: ${cycle.error ?? 'see the events above'}`);

    // 3. A/B in one window: through the following day, pairs of runs with the same payload, one
    // with the home placement and one with the new placement, back to back and in alternating
    // order, so JIT warm-up and machine load hit both sides alike; the first pairs are warm-up
    const wpd = decodeOrThrow(WorkflowPlacementDecision, await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id), 'placement decision');
    const start2 = new Date(cycleAt.getTime() + 5 * 60_000);
    const spacingAfter = Math.floor((86400 - 600) / Math.max(1, after));
    log(`running ${after} A/B pairs of ${id} from ${start2.toISOString()}: home placement vs the new placement, alternating…`);
    const isHome = (j: number) => (j % 2 === 0) === ((j >> 1) % 2 === 0); // pair k: even k home first
    const runsAB = await runMany(
      cloud,
      id,
      Array.from({ length: 2 * after }, (_, j) => payload(before + (j >> 1))),
      { at: start2, spacingS: Math.max(1, Math.floor(spacingAfter / 2)), homeOnly: isHome },
    );
    lap('runs_after');

    // 4. price both sides of each pair with the solver's own terms, from the runtime's log lines
    const input = await loadSolveInput(cloud.tables, id);
    const samples = await samplesFromLogs(cloud, id, runsAB.map((r) => r.run_id), start2.getTime() - 60_000, cloud.now().getTime() + 86400_000);
    const priced = (r: RunResult): PricedRun | undefined => {
      const smp = r.status === 'succeeded' ? samples.get(r.run_id) : undefined;
      return smp ? priceSample(input, smp) : undefined;
    };
    const pairsAll: Array<{ home: PricedRun; plan: PricedRun } | undefined> = [];
    for (let k = 0; k < after; k++) {
      const a = runsAB[2 * k];
      const b = runsAB[2 * k + 1];
      const [h, p] = isHome(2 * k) ? [a, b] : [b, a];
      const ph = priced(h);
      const pp = priced(p);
      pairsAll.push(ph && pp ? { home: ph, plan: pp } : undefined);
    }
    const warm = warmupPairs(after);
    const pairs = pairsAll.slice(warm).filter((x): x is { home: PricedRun; plan: PricedRun } => x !== undefined);
    const mBefore = pairs.map((x) => x.home);
    const mAfter = pairs.map((x) => x.plan);
    const measured = { home: metricSet(mBefore), optimized: metricSet(mAfter), runs: { home: mBefore.length, optimized: mAfter.length } };
    // when no pair ran anywhere different, the placements are the same treatment: whatever the
    // interval says, the difference is noise (a 95% interval alone would cry wolf 1 time in 20)
    const sameRoute = (x: { home: PricedRun; plan: PricedRun }) => Object.entries(x.plan.regions).every(([i, r]) => x.home.regions[i] === r);
    const identical = pairs.every(sameRoute);
    const change = (h: number[], o: number[], stat: typeof meanOf): PairedChange => {
      const c = pairedChange(h, o, stat, { seed: 15 });
      return identical ? { ...c, significant: false } : c;
    };
    const ab = {
      carbon: change(mBefore.map((m) => m.carbon), mAfter.map((m) => m.carbon), meanOf),
      cost: change(mBefore.map((m) => m.cost), mAfter.map((m) => m.cost), meanOf),
      runtime_p95: change(mBefore.map((m) => m.runtime), mAfter.map((m) => m.runtime), p95Of),
      identical_placements: identical,
      warmup_pairs: warm,
      pairs: pairs.length,
    };
    const record = await readMigrationRecord(cloud, id);
    const estimated = record?.applied?.metrics ? averageEstimates(record.applied.metrics) : undefined;
    const placement = placementThroughDay(input, wpd, cycleAt);
    const routed: Record<string, number> = {};
    for (const m of mAfter) for (const r of Object.values(m.regions)) routed[r] = (routed[r] ?? 0) + 1;
    const migrated = countMigrated(wpd);
    const failed = countFailed(runsBefore) + countFailed(runsAB);
    const headline = headlineOf(ab.carbon, measured, migrated, identical);

    const data: ReportData = {
      title: `Caribou quickstart: ${id}`,
      workflowId: id,
      day: start2.toISOString().slice(0, 10),
      home: input.config.home_region.region,
      intensity: intensityByHour(input),
      highlight: permitted(input),
      placement,
      headline,
      measured,
      estimated,
      carbonByHour: { home: byHour(mBefore), optimized: byHour(mAfter) },
      notes: [
        `${before} runs before the cycle (all at home), then ${after} A/B pairs (home placement vs the new one, back to back, alternating order); the first ${warm} pairs are discarded as warm-up; ${failed} run(s) failed.`,
        `Measured carbon changed ${describeChange(ab.carbon)}; cost ${describeChange(ab.cost)}; runtime p95 ${describeChange(ab.runtime_p95)}. Intervals: seeded bootstrap over the pairs.`,
        `CaribouCycle ${cycle.status} in ${cycle.seconds.toFixed(1)} s.`,
        'Function durations in the local cloud are the real time the code took on this machine (the network between regions is simulated from the bundled latency data), so measured runtime and carbon move a little from one quickstart to the next; pairing each run with its home counterfactual keeps that noise out of the difference.',
        'Measured and estimated figures price the same terms with the same formulas: executions, messages and the data a join downloads (sizes from the runtime\'s log lines), the client payload and the placement-decision read.',
        ...(input.config.allowed_regions?.length ? [`The manifest allows only ${input.config.allowed_regions.join(', ')}.`] : []),
      ],
      attribution: SNAPSHOT_ATTRIBUTION,
    };
    checkReportTarget(reportPath); // again: someone may have put a file there meanwhile
    fs.mkdirSync(path.dirname(reportPath), { recursive: true });
    fs.writeFileSync(reportPath, renderReport(data));
    lap('report');

    const home = { carbon: measured.home.carbon.mean, cost: measured.home.cost.mean, runtime_p95: measured.home.runtime.p95 };
    const optimized = { carbon: measured.optimized.carbon.mean, cost: measured.optimized.cost.mean, runtime_p95: measured.optimized.runtime.p95 };
    return {
      workflow_id: id,
      home,
      optimized,
      carbon_reduction_pct: -ab.carbon.change_pct || 0,
      carbon_reduction_ci_pct: [-ab.carbon.ci_pct[1] || 0, -ab.carbon.ci_pct[0] || 0],
      significant: ab.carbon.significant,
      migrated_instances: migrated,
      report: reportPath,
      detail: {
        headline,
        ab,
        placement,
        measured,
        estimated,
        cycle: { status: cycle.status, seconds: cycle.seconds, error: cycle.error },
        timings_s: timings,
        failed_runs: failed,
        routed_to: routed,
      },
    };
  } finally {
    await cloud.close();
  }
}

/** The one sentence a person reads first. */
export function headlineOf(carbon: PairedChange, measured: { home: MetricSet; optimized: MetricSet }, migrated: number, identical = false): string {
  const h = measured.home.carbon.mean;
  const o = measured.optimized.carbon.mean;
  const moved = identical ? 'the new placement runs every instance at home, so any difference is noise' : `${migrated} instance(s) moved`;
  if (!carbon.significant) return `No significant change in carbon (${describeChange(carbon).replace(/^no significant change \(/, '').replace(/\)$/, '')}); ${moved}. Home: ${carbonPer1000(h)}.`;
  const verb = carbon.change_pct < 0 ? 'less' : 'more';
  return `${Math.abs(carbon.change_pct).toFixed(1)}% ${verb} carbon with the new placement (95% CI ${Math.abs(carbon.ci_pct[carbon.change_pct < 0 ? 1 : 0]).toFixed(1)}–${Math.abs(carbon.ci_pct[carbon.change_pct < 0 ? 0 : 1]).toFixed(1)}%): ${carbonPer1000(h)} at home → ${carbonPer1000(o)} (${gramsPerMillion(h)} → ${gramsPerMillion(o)}); ${moved}.`;
}

function countFailed(runs: RunResult[]): number {
  return runs.filter((r) => r.status !== 'succeeded').length;
}

function metricSet(ms: PricedRun[]): MetricSet {
  return { carbon: summarize(ms.map((m) => m.carbon)), cost: summarize(ms.map((m) => m.cost)), runtime: summarize(ms.map((m) => m.runtime)) };
}

/** The solver's estimates averaged over the plan's hour slots. */
function averageEstimates(metrics: Record<string, { chosen: DeploymentMetrics; home: DeploymentMetrics }>): { home: MetricSet; optimized: MetricSet } {
  const hours = Object.values(metrics);
  const avg = (pick: (m: { chosen: DeploymentMetrics; home: DeploymentMetrics }) => DeploymentMetrics): MetricSet => {
    const f = (k: 'carbon' | 'cost' | 'runtime', s: 'mean' | 'tail') => hours.reduce((a, h) => a + pick(h)[k][s], 0) / Math.max(1, hours.length);
    return {
      carbon: { mean: f('carbon', 'mean'), p95: f('carbon', 'tail') },
      cost: { mean: f('cost', 'mean'), p95: f('cost', 'tail') },
      runtime: { mean: f('runtime', 'mean'), p95: f('runtime', 'tail') },
    };
  };
  return { home: avg((h) => h.home), optimized: avg((h) => h.chosen) };
}

/** Function name → region for each hour 0–23 of the day after the switch (what a run at that hour is routed to). */
export function placementThroughDay(input: SolveInput, wpd: WorkflowPlacementDecision, switchedAt: Date): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  const dayStart = Date.UTC(switchedAt.getUTCFullYear(), switchedAt.getUTCMonth(), switchedAt.getUTCDate());
  const label = new Map(input.config.instances.map((i) => [i.instance_name, i.function_name]));
  // several instances of one function are shown as "fn#k"
  const seen = new Map<string, number>();
  const names = new Map<string, string>();
  for (const i of input.config.instances) {
    const k = seen.get(i.function_name) ?? 0;
    seen.set(i.function_name, k + 1);
    names.set(i.instance_name, k === 0 ? i.function_name : `${i.function_name}#${k}`);
  }
  for (let h = 0; h < 24; h++) {
    // the hour inside the plan's validity: hours before the switch are shown for the next day
    let at = new Date(dayStart + h * 3600000);
    if (at.getTime() < switchedAt.getTime()) at = new Date(at.getTime() + 86400000);
    const route = routeForRun(wpd, at);
    for (const [inst, p] of Object.entries(route.placements)) {
      const n = names.get(inst) ?? label.get(inst) ?? inst;
      (out[n] ??= new Array(24).fill(''))[h] = p.region;
    }
  }
  return out;
}

function countMigrated(wpd: WorkflowPlacementDecision): number {
  const moved = new Set<string>();
  for (const m of Object.values(wpd.current_deployment?.instances ?? {}))
    for (const [inst, p] of Object.entries(m)) if (p.region !== wpd.home_deployment[inst]?.region) moved.add(inst);
  return moved.size;
}

function permitted(input: SolveInput): string[] {
  const home = input.config.home_region.region;
  const allowed = input.config.allowed_regions?.length ? input.config.allowed_regions : input.available_regions;
  const dis = new Set(input.config.disallowed_regions ?? []);
  return [home, ...allowed.filter((r) => r !== home && !dis.has(r))];
}

function intensityByHour(input: SolveInput): Record<string, number[]> {
  const out: Record<string, number[]> = {};
  const known = new Set(snapshotRegions().map((r) => r.code));
  for (const [region, rec] of Object.entries(input.carbon)) {
    if (!known.has(region)) continue;
    out[region] = Array.from({ length: 24 }, (_, h) => rec.averages[String(h)]?.carbon_intensity ?? rec.averages.overall?.carbon_intensity ?? 0);
  }
  return out;
}

function byHour(ms: PricedRun[]): Array<number | null> {
  const sum = new Array(24).fill(0);
  const n = new Array(24).fill(0);
  for (const m of ms) {
    sum[m.hour] += m.carbon;
    n[m.hour]++;
  }
  return sum.map((s, h) => (n[h] ? s / n[h] : null));
}

