/**
 * Ranking (Caribou's rules, DESIGN §5): hard constraints compare the candidate's tail with an
 * absolute value or a percentage of the home deployment's tail and remove it; soft constraints
 * compare means the same way and count violations; fewer violations rank first, then the
 * priority order compares means lexicographically.
 */
import type { Constraint, ConstraintSet, Constraints, MetricName } from '../model/manifest';
import type { DeploymentMetrics } from '../model/staging';

/** Metrics packed as [cost mean, cost tail, runtime mean, runtime tail, carbon mean, carbon tail]. */
export type Packed = number[];

/** Offset of a metric's mean in a Packed array (its tail is the next entry). */
export const METRIC_INDEX: Record<MetricName, number> = { cost: 0, runtime: 2, carbon: 4 };
const METRICS: MetricName[] = ['cost', 'runtime', 'carbon'];
/** Caribou's order when the manifest gives none. */
export const DEFAULT_PRIORITY: MetricName[] = ['carbon', 'runtime', 'cost'];

/** Packs DeploymentMetrics into the compact array the round state carries. */
export function pack(m: DeploymentMetrics): Packed {
  return [m.cost.mean, m.cost.tail, m.runtime.mean, m.runtime.tail, m.carbon.mean, m.carbon.tail];
}

/** Unpacks a compact metrics array. */
export function unpack(p: Packed): DeploymentMetrics {
  return { cost: { mean: p[0], tail: p[1] }, runtime: { mean: p[2], tail: p[3] }, carbon: { mean: p[4], tail: p[5] } };
}

/** True when `value` breaks the constraint; a relative value is a percentage of `homeValue`. */
export function violates(value: number, c: Constraint | null | undefined, homeValue: number): boolean {
  if (!c) return false;
  return c.type === 'absolute' ? value > c.value : value > c.value * (homeValue / 100);
}

/** True when any hard constraint fails on the candidate's tail values. */
export function failsHard(m: Packed, hard: ConstraintSet | null | undefined, home: Packed): boolean {
  if (!hard) return false;
  for (const k of METRICS) if (violates(m[METRIC_INDEX[k] + 1], hard[k], home[METRIC_INDEX[k] + 1])) return true;
  return false;
}

/** Number of soft constraints the candidate's means break. */
export function softViolations(m: Packed, soft: ConstraintSet | null | undefined, home: Packed): number {
  if (!soft) return 0;
  let n = 0;
  for (const k of METRICS) if (violates(m[METRIC_INDEX[k]], soft[k], home[METRIC_INDEX[k]])) n++;
  return n;
}

/** The ranking context of one hour: constraints, priority order and the home deployment's metrics. */
export interface RankContext {
  constraints: Constraints | null | undefined;
  priority: MetricName[];
  home: Packed;
}

/** Builds a ranking context from the workflow's constraints and the home metrics. */
export function rankContext(constraints: Constraints | null | undefined, home: Packed): RankContext {
  const order = constraints?.priority_order?.length ? constraints.priority_order : DEFAULT_PRIORITY;
  return { constraints, priority: order, home };
}

/** Compares two feasible candidates: negative when `a` ranks before `b`. */
export function compareRanked(a: Packed, b: Packed, ctx: RankContext): number {
  const soft = ctx.constraints?.soft_resource_constraints;
  const va = softViolations(a, soft, ctx.home);
  const vb = softViolations(b, soft, ctx.home);
  if (va !== vb) return va - vb;
  for (const k of ctx.priority) {
    const i = METRIC_INDEX[k];
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/** Ranks candidates best first, dropping those failing a hard constraint (stable for ties). */
export function rank<T extends { m: Packed }>(candidates: T[], ctx: RankContext): T[] {
  const hard = ctx.constraints?.hard_resource_constraints;
  return candidates.filter((c) => !failsHard(c.m, hard, ctx.home)).sort((a, b) => compareRanked(a.m, b.m, ctx));
}
