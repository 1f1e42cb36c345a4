import * as t from 'io-ts';

/**
 * The structured lines the SDK runtime logs, one JSON object per line, prefixed by
 * LOG_PREFIX so that lines of other programs are easy to tell apart. The log syncer
 * rebuilds each run from these. All sizes are in GB (bytes / 1024^3), times in seconds,
 * timestamps ISO-8601 UTC (on the local cloud: the virtual clock).
 */
export const LOG_PREFIX = '[CARIBOU]';
export const LOG_VERSION = '1';

const Common = t.strict({
  v: t.literal(LOG_VERSION),
  time: t.string,
  run_id: t.string,
  workflow_id: t.string,
  instance: t.string,
  region: t.string,
});

const e = <E extends string, P extends t.Props>(event: E, props: P) =>
  t.intersection([Common, t.strict({ event: t.literal(event), ...props })]);

/** First hop of a run: which route the run uses and why. */
export const EntryPointEvent = e('ENTRY_POINT', {
  payload_gb: t.number,
  wpd_gb: t.number,
  time_key: t.string, // an hour key or "home"
  route_reason: t.string, // plan | no-plan | expired | outage
});
/** A function started; `taint` matches the sender's INVOKING_* line for latency. */
export const InvokedEvent = e('INVOKED', {
  taint: t.union([t.string, t.null]),
  hops: t.number,
  payload_gb: t.number,
});
/** A call to an ordinary successor was published. */
export const InvokingSuccessorEvent = e('INVOKING_SUCCESSOR', {
  successor: t.string,
  successor_region: t.string,
  site: t.number,
  taint: t.string,
  payload_gb: t.number,
  offset_s: t.number, // from this function's start
  spilled: t.boolean, // payload travelled by reference through package storage
});
/** A call site into a join: payload stored in the join table (or a skip recorded). */
export const InvokingSyncNodeEvent = e('INVOKING_SYNC_NODE', {
  successor: t.string,
  successor_region: t.string,
  site: t.number,
  taint: t.union([t.string, t.null]), // set when this write fired the join
  payload_gb: t.number,
  skipped: t.boolean,
  fired: t.boolean,
  offset_s: t.number,
  sync_data_gb: t.number,
  wcu: t.number,
});
/** A call site was skipped (`conditional: false`) or never reached before return. */
export const ConditionalNonExecutionEvent = e('CONDITIONAL_NON_EXECUTION', {
  successor: t.string,
  site: t.number,
  reached: t.boolean,
  offset_s: t.number,
});
/** A join read its predecessors' data. */
export const JoinDataEvent = e('JOIN_DATA', { download_gb: t.number, count: t.number, rcu: t.number });
/** The user function returned. */
export const ExecutedEvent = e('EXECUTED', {
  user_s: t.number,
  total_s: t.number,
  cpu_s: t.union([t.number, t.null]),
  memory_mb: t.number,
});
/** The user function threw; successors not invoked, joins waiting on it resolved as skips. */
export const UserCodeFailureEvent = e('USER_CODE_FAILURE', { error: t.string });
/** The hop limit was exceeded; the function did not run. */
export const HopLimitEvent = e('HOP_LIMIT_EXCEEDED', { hops: t.number, limit: t.number });
/** A region was unreachable; the run fell back to the home deployment. */
export const RegionUnreachableEvent = e('REGION_UNREACHABLE', { unreachable_region: t.string, fallback_region: t.string });

export const LogEvent = t.union([
  EntryPointEvent,
  InvokedEvent,
  InvokingSuccessorEvent,
  InvokingSyncNodeEvent,
  ConditionalNonExecutionEvent,
  JoinDataEvent,
  ExecutedEvent,
  UserCodeFailureEvent,
  HopLimitEvent,
  RegionUnreachableEvent,
]);
export type LogEvent = t.TypeOf<typeof LogEvent>;
export type LogEventName = LogEvent['event'];

/** Formats an event as one log line. */
export function formatLogLine(ev: LogEvent): string {
  return `${LOG_PREFIX} ${JSON.stringify(ev)}`;
}
