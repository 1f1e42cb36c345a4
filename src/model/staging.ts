import * as t from 'io-ts';
import { HourKey, IsoTime, WorkflowId } from './primitives';

/** Mean and tail (p95 by default) of one metric. */
export const Stat = t.strict({ mean: t.number, tail: t.number });
export type Stat = t.TypeOf<typeof Stat>;

/** Metrics of one deployment: cost in USD, runtime in s, carbon in gCO2e, per run. */
export const DeploymentMetrics = t.strict({ cost: Stat, runtime: Stat, carbon: Stat });
export type DeploymentMetrics = t.TypeOf<typeof DeploymentMetrics>;

/** workflow_placement_solver_staging_area_table[workflow_id]: a solve's output, consumed by the migrator. */
export const StagedPlan = t.strict({
  workflow_id: WorkflowId,
  solved_at: IsoTime,
  expiry_time: IsoTime,
  algorithm: t.union([t.literal('coarse'), t.literal('fine'), t.literal('stochastic')]),
  time_keys: t.array(HourKey),
  /** hour key → instance → region */
  placements: t.record(HourKey, t.record(t.string, t.string)),
  /** hour key → metrics of the chosen and the home deployment */
  metrics: t.record(HourKey, t.strict({ chosen: DeploymentMetrics, home: DeploymentMetrics })),
  /** the documented fallbacks the solve used (e.g. "latency us-east-1→eu-north-1: home latency + ping difference") */
  fallbacks: t.array(t.string),
  evaluations: t.number,
});
export type StagedPlan = t.TypeOf<typeof StagedPlan>;
