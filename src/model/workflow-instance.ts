import * as t from 'io-ts';
import { NonNegative, Probability } from './primitives';

/** One observed execution: its duration, data moved while running, and when each successor was called. */
export const ExecutionSample = t.strict({
  duration_s: NonNegative,
  data_transfer_gb: NonNegative,
  /** successor instance → seconds from function start to the call */
  call_offsets_s: t.record(t.string, NonNegative),
});
export type ExecutionSample = t.TypeOf<typeof ExecutionSample>;

/** Latency (s) = intercept + slope · size (GB), clamped to [min, max]. */
export const BestFitLine = t.strict({ slope_s: t.number, intercept_s: t.number, min_latency_s: NonNegative, max_latency_s: NonNegative });
export type BestFitLine = t.TypeOf<typeof BestFitLine>;

/** Latency samples for one region pair, with a best-fit line of latency by size. */
export const LatencySamples = t.intersection([
  t.strict({ samples: t.array(t.tuple([NonNegative, NonNegative])) }), // [size_gb, latency_s]
  t.exact(t.partial({ best_fit_line: BestFitLine })),
]);

/** The best-fit line's bounds as factors of the mean latency (Caribou). */
export const BEST_FIT_MIN_FACTOR = 0.7;
export const BEST_FIT_MAX_FACTOR = 1.3;

/**
 * How `best_fit_line` is derived from [size_gb, latency_s] samples (the collector writes it, the
 * solver derives it where missing): least squares as Caribou, accepted only with intercept > 0
 * and slope ≥ 0 (else flat at the mean), bounded by 0.7 and 1.3 × the mean. Undefined without samples.
 */
export function fitLatencyLine(samples: ReadonlyArray<readonly [number, number]>): BestFitLine | undefined {
  const n = samples.length;
  if (n === 0) return undefined;
  let sx = 0;
  let sy = 0;
  for (const [x, y] of samples) {
    sx += x;
    sy += y;
  }
  const mx = sx / n;
  const my = sy / n;
  let sxx = 0;
  let sxy = 0;
  for (const [x, y] of samples) {
    sxx += (x - mx) * (x - mx);
    sxy += (x - mx) * (y - my);
  }
  let slope = sxx > 0 ? sxy / sxx : 0;
  let intercept = my - slope * mx;
  if (!(intercept > 0 && slope >= 0)) {
    slope = 0;
    intercept = my;
  }
  return { slope_s: slope, intercept_s: intercept, min_latency_s: BEST_FIT_MIN_FACTOR * my, max_latency_s: BEST_FIT_MAX_FACTOR * my };
}
export type LatencySamples = t.TypeOf<typeof LatencySamples>;

/** What was seen of one DAG edge (instance → successor instance). */
export const EdgeSummary = t.intersection([
  t.strict({
    invoked: NonNegative,
    non_executions: NonNegative,
    invocation_probability: Probability,
    transfer_sizes_gb: t.array(NonNegative),
    /** from region → to region → latency samples */
    regions_to_regions: t.record(t.string, t.record(t.string, LatencySamples)),
  }),
  t.exact(t.partial({ sync_size_gb: NonNegative, sns_only_size_gb: NonNegative })),
]);
export type EdgeSummary = t.TypeOf<typeof EdgeSummary>;

export const InstanceSummary = t.strict({
  invocations: NonNegative,
  cpu_utilization: Probability,
  /** region → observed executions there */
  executions: t.record(t.string, t.strict({ cpu_utilization: Probability, samples: t.array(ExecutionSample) })),
  to_instance: t.record(t.string, EdgeSummary),
});
export type InstanceSummary = t.TypeOf<typeof InstanceSummary>;

/** workflow_instance_table[workflow_id]: what the solver learns from (written by the workflow collector). */
export const WorkflowInstanceRecord = t.strict({
  workflow_id: t.string,
  collected_at: t.string,
  workflow_runtime_samples: t.array(NonNegative),
  daily_invocation_counts: t.record(t.string, NonNegative),
  daily_failure_counts: t.record(t.string, NonNegative),
  start_hop_summary: t.strict({
    invoked: NonNegative,
    wpd_size_gb: NonNegative,
    transfer_sizes_gb: t.array(NonNegative),
    /** region the entry ran in → latency from the client */
    latencies_s: t.record(t.string, t.array(NonNegative)),
  }),
  instance_summary: t.record(t.string, InstanceSummary),
});
export type WorkflowInstanceRecord = t.TypeOf<typeof WorkflowInstanceRecord>;
