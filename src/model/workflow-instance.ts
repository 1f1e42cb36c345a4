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

/** Latency samples for one region pair, with a best-fit line of latency by size. */
export const LatencySamples = t.intersection([
  t.strict({ samples: t.array(t.tuple([NonNegative, NonNegative])) }), // [size_gb, latency_s]
  t.exact(t.partial({ best_fit_line: t.strict({ slope_s: t.number, intercept_s: t.number, min_latency_s: NonNegative, max_latency_s: NonNegative }) })),
]);
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
