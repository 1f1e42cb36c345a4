/**
 * The deployment manager's benefit-versus-overhead budget (Caribou paper §5.2), pure.
 *
 * Benefit ("tokens", in gCO2e): how much carbon moving this workflow could plausibly save,
 * estimated as the spread (standard deviation) of grid intensity among the regions the
 * workflow may use near home × energy per invocation-second × mean runtime × invocations.
 * Overhead: the carbon the solver itself burns (per instance per solve, by algorithm, at
 * the system region's intensity) plus a per-instance migration cost.
 *
 * Defects of the Python original fixed here (reference caribou-control_plane.md §1.3–1.4):
 * - no `int()` truncation of the overhead (it made small solves free and leftovers perpetual);
 * - a skipped workflow keeps `last_solved` and `tokens_left` (Caribou overwrote them);
 * - no NaN / crash on missing carbon data or runtime samples (std of < 2 values is 0;
 *   a missing system-region intensity uses the 410 g/kWh default and says so);
 * - the 10-invocation threshold applies on every pass, not only before the first solve;
 * - allowed / disallowed regions bound the benefit estimate;
 * - the manifest's algorithm is both priced and used (Caribou priced one, ran another);
 * - a plan's expiry outlives the next daily cycle (Caribou's ~12 h expiry left clients on
 *   home for half of each day).
 */
import type { AlgorithmShort, DeploymentDecision, DeploymentManagerInfo } from '../model/deployment-manager';
import type { CarbonRegionRecord } from '../model/region-data';
import type { WorkflowConfig } from '../model/workflow-config';
import type { WorkflowInstanceRecord } from '../model/workflow-instance';
import { algorithmShortName } from '../model/manifest';

/** Constants of the manager (Caribou's values unless noted). */
export const DECIDE = {
  MIN_INVOCATIONS: 10,
  LOOKBACK_DAYS: 30,
  /** kWh per invocation-second per unit of intensity spread (Caribou's CARBON_INTENSITY_TO_INVOCATION_SECOND_ESTIMATE) */
  CARBON_INTENSITY_TO_INVOCATION_SECOND: 0.001,
  /** solver carbon per instance per solve, by algorithm (fine is exhaustive: priced at 10× stochastic, our choice) */
  SOLVE_CARBON_PER_INSTANCE: { coarse: 0.00001, stochastic: 0.0001, fine: 0.001 } as Record<AlgorithmShort, number>,
  MIGRATION_COST: 0.0001,
  DISTANCE_FOR_POTENTIAL_MIGRATION_KM: 4000,
  GRID_CARBON_DEFAULT: 410,
  SOLVES_PER_DAY: [1, 2, 3, 4, 6, 8, 12, 24] as const,
  /** how long before a workflow is looked at again; shorter than a day so a daily cycle always re-examines it */
  COOLDOWN_S: 20 * 3600,
  /** a plan stays valid at least past the next daily cycle (+2 h for the cycle itself) … */
  MIN_EXPIRY_S: 26 * 3600,
  /** … and at most two days, as in Caribou's sigmoid */
  MAX_EXPIRY_S: 48 * 3600,
  /** carried tokens are capped at this many days of the most expensive schedule, so a busy workflow cannot bank forever */
  CARRY_CAP_DAYS: 7,
} as const;

/** Everything the manager looks at for one workflow. */
export interface DecideInput {
  now: Date;
  config: Pick<WorkflowConfig, 'workflow_id' | 'home_region' | 'instances' | 'deployment_algorithm' | 'allowed_regions' | 'disallowed_regions'>;
  /** the bookkeeping so far (absent before the first pass) */
  info?: DeploymentManagerInfo;
  /** what the workflow collector learnt (absent when nothing was collected yet) */
  summary?: Pick<WorkflowInstanceRecord, 'daily_invocation_counts' | 'workflow_runtime_samples'>;
  /** region codes that are available (available_regions_table) */
  availableRegions: readonly string[];
  /** carbon_region_table by region code; regions may be missing */
  carbon: Readonly<Record<string, CarbonRegionRecord | undefined>>;
  /** where the control plane (and thus the solver) runs */
  systemRegion: string;
  /** ignore `next_check` (a manual run) */
  force?: boolean;
  /**
   * an operator's override of how many hour slots to solve (one of SOLVES_PER_DAY), whatever
   * the budget affords; the 10-invocation floor still holds, the overhead is still charged
   * (the carried tokens may go negative: later benefit repays it), and the reason says both
   */
  solvesPerDay?: number;
}

/** The verdict, and the bookkeeping to write now (skips only; a solve is committed when staged). */
export interface DecideOutput {
  decision: DeploymentDecision;
  /** write this to deployment_manager_workflow_info_table now, or undefined to write nothing */
  infoNow?: DeploymentManagerInfo;
}

/** Caribou's sigmoid scale 3/(1+e^(-0.02x)) − 1: 0.5 at 0, range (−1, 2). */
export function sigmoidScale(x: number): number {
  return 3 / (1 + Math.exp(-0.02 * x)) - 1;
}

/** The hour keys of `n` evenly spaced solves a day: 1 → ["0"], 3 → ["0","8","16"]. */
export function solveHours(n: number): string[] {
  if (!(DECIDE.SOLVES_PER_DAY as readonly number[]).includes(n)) throw new Error(`solves per day must be one of ${DECIDE.SOLVES_PER_DAY.join(', ')}; got ${n}`);
  const out: string[] = [];
  for (let h = 0; h < 24; h += 24 / n) out.push(String(h));
  return out;
}

/** Population standard deviation (numpy's default); 0 for fewer than two values. */
export function populationStd(values: readonly number[]): number {
  if (values.length < 2) return 0;
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / values.length);
}

/** The regions a workflow may run in: available ∩ allowed (if any) − disallowed, home always included. */
export function permittedRegions(config: DecideInput['config'], available: readonly string[]): string[] {
  const allowed = config.allowed_regions && config.allowed_regions.length > 0 ? new Set(config.allowed_regions) : undefined;
  const disallowed = new Set(config.disallowed_regions ?? []);
  const home = config.home_region.region;
  const out = available.filter((r) => (!allowed || allowed.has(r)) && !disallowed.has(r));
  if (!out.includes(home)) out.unshift(home);
  return [...new Set(out)].sort();
}

/** A region's overall intensity, or undefined when there is no usable number. */
function overallIntensity(rec: CarbonRegionRecord | undefined): number | undefined {
  const v = rec?.averages?.overall?.carbon_intensity;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Invocations on days after `since` (dates compared on their YYYY-MM-DD prefix, as numbers of days). */
export function invocationsSince(counts: Readonly<Record<string, number>>, since: Date): number {
  const sinceDay = Math.floor(since.getTime() / 86400000);
  let n = 0;
  for (const [day, c] of Object.entries(counts)) {
    const t = Date.parse(`${day.slice(0, 10)}T00:00:00Z`);
    if (Number.isNaN(t) || !Number.isFinite(c)) continue;
    if (Math.floor(t / 86400000) > sinceDay || (Math.floor(t / 86400000) === sinceDay && t >= since.getTime())) n += c;
  }
  return n;
}

/** The overhead (tokens) of `solves` solves a day with `algorithm` for `instances` instances. */
export function solveOverhead(instances: number, solves: number, algorithm: AlgorithmShort, systemIntensity: number): number {
  return instances * solves * DECIDE.SOLVE_CARBON_PER_INSTANCE[algorithm] * systemIntensity + instances * DECIDE.MIGRATION_COST;
}

/** The benefit estimate and how it was reached. */
export interface Benefit {
  tokens: number;
  invocations: number;
  spread: number;
  meanRuntime: number;
  regionsConsidered: string[];
  notes: string[];
}

/** Estimates the benefit tokens of moving this workflow now. */
export function estimateBenefit(input: DecideInput): Benefit {
  const notes: string[] = [];
  const home = input.config.home_region.region;
  const since = input.info?.last_solved ? new Date(input.info.last_solved) : new Date(input.now.getTime() - DECIDE.LOOKBACK_DAYS * 86400000);
  const invocations = invocationsSince(input.summary?.daily_invocation_counts ?? {}, since);
  const samples = (input.summary?.workflow_runtime_samples ?? []).filter((x) => Number.isFinite(x));
  const meanRuntime = samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length : 0;
  if (!samples.length) notes.push('no runtime samples yet');

  const distances = input.carbon[home]?.transmission_distances;
  if (!distances) notes.push(`no distances from ${home}: every permitted region counts as near`);
  const considered: string[] = [];
  const intensities: number[] = [];
  for (const r of permittedRegions(input.config, input.availableRegions)) {
    const d = r === home ? 0 : distances?.[r];
    if (distances && (d === undefined || d > DECIDE.DISTANCE_FOR_POTENTIAL_MIGRATION_KM)) continue;
    const ci = overallIntensity(input.carbon[r]);
    if (ci === undefined) {
      notes.push(`no carbon data for ${r}`);
      continue;
    }
    considered.push(r);
    intensities.push(ci);
  }
  const spread = populationStd(intensities);
  const tokens = spread * DECIDE.CARBON_INTENSITY_TO_INVOCATION_SECOND * meanRuntime * invocations;
  return { tokens, invocations, spread, meanRuntime, regionsConsidered: considered, notes };
}

/** Decides whether to solve a workflow now, with how many hour slots, by which algorithm. */
export function decideWorkflow(input: DecideInput): DecideOutput {
  const { now, info } = input;
  const workflow_id = input.config.workflow_id;
  const nowIso = now.toISOString();
  const carried = info?.tokens_left ?? 0;
  const base = { workflow_id, decided_at: nowIso };
  const skip = (reason: string, invocations: number, tokens: number, budget: number, write = true): DecideOutput => {
    const decision: DeploymentDecision = { ...base, action: 'skip', reason, invocations, tokens, budget };
    // a skip keeps last_solved and tokens_left: only the next look and the verdict move
    const infoNow: DeploymentManagerInfo | undefined = write
      ? { ...(info ?? { workflow_id, tokens_left: 0 }), workflow_id, next_check: new Date(now.getTime() + DECIDE.COOLDOWN_S * 1000).toISOString(), last_decision: decision }
      : undefined;
    return { decision, infoNow };
  };

  if (info && !input.force && Date.parse(info.next_check) > now.getTime())
    return skip(`not due until ${info.next_check}`, 0, 0, carried, false);

  const benefit = estimateBenefit(input);
  if (benefit.invocations < DECIDE.MIN_INVOCATIONS)
    return skip(
      `only ${benefit.invocations} invocations ${info?.last_solved ? 'since the last solve' : `in the last ${DECIDE.LOOKBACK_DAYS} days`} (a solve needs at least ${DECIDE.MIN_INVOCATIONS})`,
      benefit.invocations,
      benefit.tokens,
      carried + benefit.tokens,
    );

  const algorithm = algorithmShortName(input.config.deployment_algorithm ?? undefined);
  let systemIntensity = overallIntensity(input.carbon[input.systemRegion]);
  const notes = [...benefit.notes];
  if (systemIntensity === undefined) {
    systemIntensity = DECIDE.GRID_CARBON_DEFAULT;
    notes.push(`no carbon data for the system region ${input.systemRegion}: overhead priced at ${DECIDE.GRID_CARBON_DEFAULT} g/kWh`);
  }
  const instances = Math.max(1, input.config.instances.length);
  const budget = carried + benefit.tokens;
  let affordable: number | undefined;
  for (const n of DECIDE.SOLVES_PER_DAY) if (solveOverhead(instances, n, algorithm, systemIntensity) <= budget) affordable = n;
  if (input.solvesPerDay !== undefined) solveHours(input.solvesPerDay); // throws on a count that is not allowed
  const chosen = input.solvesPerDay ?? affordable;
  const detail = `benefit ${fmt(benefit.tokens)} (intensity spread ${fmt(benefit.spread)} g/kWh over ${benefit.regionsConsidered.length} regions, mean runtime ${fmt(benefit.meanRuntime)} s, ${benefit.invocations} invocations) + carried ${fmt(carried)}`;
  const overridden =
    input.solvesPerDay === undefined ? '' : `; ${input.solvesPerDay} solve(s) a day set by the operator (the budget alone affords ${affordable ?? 'none'})`;
  const noteText = (notes.length ? `; ${notes.join('; ')}` : '') + overridden;
  if (chosen === undefined) {
    const need = solveOverhead(instances, 1, algorithm, systemIntensity);
    return skip(`${detail} is below the overhead of one ${algorithm} solve (${fmt(need)})${noteText}`, benefit.invocations, benefit.tokens, budget);
  }
  const overhead = solveOverhead(instances, chosen, algorithm, systemIntensity);
  const cap = DECIDE.CARRY_CAP_DAYS * solveOverhead(instances, 24, algorithm, systemIntensity);
  const leftover = Math.min(budget - overhead, cap);
  const expiry = Math.min(DECIDE.MAX_EXPIRY_S, Math.max(DECIDE.MIN_EXPIRY_S, 86400 * sigmoidScale(leftover)));
  const decision: DeploymentDecision = {
    ...base,
    action: 'solve',
    reason: `${detail} ${input.solvesPerDay === undefined ? 'affords' : 'pays for'} ${chosen} ${algorithm} solve(s) a day (overhead ${fmt(overhead)})${noteText}`,
    invocations: benefit.invocations,
    tokens: benefit.tokens,
    budget,
    algorithm,
    solves_per_day: chosen,
    solve_hours: solveHours(chosen),
    overhead,
    leftover_tokens: leftover,
    expiry_delta_s: Math.round(expiry),
  };
  return { decision };
}

/** The bookkeeping after a solve's plan was staged: written only then, so a failed solve is retried next pass. */
export function commitSolve(prev: DeploymentManagerInfo | undefined, decision: DeploymentDecision, stagedAt: Date): DeploymentManagerInfo {
  if (decision.action !== 'solve') throw new Error(`cannot commit a ${decision.action} decision for ${decision.workflow_id}`);
  return {
    ...(prev ?? {}),
    workflow_id: decision.workflow_id,
    last_solved: stagedAt.toISOString(),
    tokens_left: decision.leftover_tokens ?? 0,
    next_check: new Date(stagedAt.getTime() + DECIDE.COOLDOWN_S * 1000).toISOString(),
    last_decision: decision,
  };
}

function fmt(x: number): string {
  if (x === 0) return '0';
  const a = Math.abs(x);
  return a >= 100 ? x.toFixed(0) : a >= 1 ? x.toFixed(2) : x.toPrecision(2);
}
