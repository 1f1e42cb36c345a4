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

/** An event with optional fields added later (additive: older lines without them still decode). */
const eo = <E extends string, P extends t.Props, O extends t.Props>(event: E, props: P, optional: O) =>
  t.intersection([Common, t.strict({ event: t.literal(event), ...props }), t.exact(t.partial(optional))]);

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
export const InvokingSuccessorEvent = eo(
  'INVOKING_SUCCESSOR',
  {
    successor: t.string,
    successor_region: t.string,
    site: t.number,
    taint: t.string,
    payload_gb: t.number,
    offset_s: t.number, // from this function's start: when the message was published
    spilled: t.boolean, // payload travelled by reference through package storage
  },
  {
    // when the user code called ctx.invoke (the runtime publishes only after the function returned)
    call_offset_s: t.number,
  },
);
/** A call site into a join: payload stored in the join table (or a skip recorded). */
export const InvokingSyncNodeEvent = eo(
  'INVOKING_SYNC_NODE',
  {
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
  },
  {
    // the instance whose call site this slot is, when it is not `instance`: an instance that
    // will not run has its slots resolved as skipped by whoever learnt it will not run
    predecessor: t.string,
    // why a skipped slot carries no data: conditional | unreached | failed | not-run
    skip_reason: t.string,
    // call_offset_s as in INVOKING_SUCCESSOR
    call_offset_s: t.number,
  },
);
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
export const UserCodeFailureEvent = eo(
  'USER_CODE_FAILURE',
  { error: t.string },
  {
    // "runtime" when the runtime itself could not deliver a call (not an outage: e.g. storage
    // refused a write); the run is failed either way. Absent means "user".
    origin: t.string,
    // for origin "runtime": the successor whose call was lost
    successor: t.string,
  },
);
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
