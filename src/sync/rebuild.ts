/**
 * Rebuilding one run from its log events, and judging whether it is finished.
 *
 * A run is *complete* when it has its ENTRY_POINT, every function that started has ended
 * (EXECUTED, USER_CODE_FAILURE or HOP_LIMIT_EXCEEDED), every message sent (by taint) was
 * received (or refused at the hop limit), and every received message has its sender's line. A complete run is still held back until its last
 * line is `settleMs` older than the end of the window read, because a function may log a
 * trailing line (a skip recorded on return) just after the window end. A run that is not
 * complete after `staleMs` without a new line is given up on. Runs in between stay pending
 * and are judged again by the next sync, so runs straddling a window end are never lost.
 */
import type {
  ConditionalNonExecutionEvent,
  EntryPointEvent,
  ExecutedEvent,
  InvokedEvent,
  InvokingSuccessorEvent,
  InvokingSyncNodeEvent,
  LogEvent,
} from '../model/log-event';
import type { ExecutionRecord, RunSample, TransmissionRecord } from '../model/workflow-summary';
import * as t from 'io-ts';

type Ev<C extends t.Mixed> = t.TypeOf<C>;
type Entry = Ev<typeof EntryPointEvent>;
type Invoked = Ev<typeof InvokedEvent>;
type Executed = Ev<typeof ExecutedEvent>;
type Succ = Ev<typeof InvokingSuccessorEvent>;
type SyncNode = Ev<typeof InvokingSyncNodeEvent>;
type NonExec = Ev<typeof ConditionalNonExecutionEvent>;

/** The outcome of judging a run at the end of a window. */
export type RunVerdict =
  | { status: 'pending' }
  | { status: 'kept'; sample: RunSample }
  | { status: 'failed'; day: string }
  | { status: 'incomplete'; why: string }
  | { status: 'duplicate'; why: string };

/** UTC day `YYYY-MM-DD` of a time in ms. */
export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const msOf = (e: LogEvent): number => Date.parse(e.time);

/** Judges a run from its events (any order) at window end `endMs`; builds its sample when it is complete and successful. */
export function judgeRun(events: readonly LogEvent[], endMs: number, settleMs: number, staleMs: number): RunVerdict {
  let lastMs = -Infinity;
  let entry: Entry | undefined;
  const invoked = new Map<string, Invoked[]>();
  const executed = new Map<string, Executed[]>();
  const ended = new Set<string>();
  const sends = new Map<string, Succ | SyncNode>();
  const received = new Map<string, Invoked>();
  const hopLimited = new Set<string>();
  let failure: LogEvent | undefined;
  for (const e of events) {
    const ms = msOf(e);
    if (ms > lastMs) lastMs = ms;
    switch (e.event) {
      case 'ENTRY_POINT':
        entry ??= e;
        break;
      case 'INVOKED':
        push(invoked, e.instance, e);
        if (e.taint !== null) received.set(e.taint, e);
        break;
      case 'EXECUTED':
        push(executed, e.instance, e);
        ended.add(e.instance);
        break;
      case 'HOP_LIMIT_EXCEEDED':
        // the receiver refused to run: this answers the message sent to it (it logs no INVOKED)
        hopLimited.add(e.instance);
        failure ??= e;
        ended.add(e.instance);
        break;
      case 'USER_CODE_FAILURE':
        failure ??= e;
        ended.add(e.instance);
        break;
      case 'INVOKING_SUCCESSOR':
        sends.set(e.taint, e);
        break;
      case 'INVOKING_SYNC_NODE':
        // the write that completes a join publishes its trigger, even when that write is a skip
        if (e.fired && e.taint !== null) sends.set(e.taint, e);
        break;
      default:
        break;
    }
  }
  const outstanding = whyIncomplete(entry, invoked, ended, sends, received, hopLimited);
  const settled = outstanding === undefined && lastMs < endMs - settleMs;
  const stale = lastMs < endMs - staleMs;
  if (!settled && !stale) return { status: 'pending' };
  if (failure) return { status: 'failed', day: dayOf(entry ? msOf(entry) : msOf(failure)) };
  if (outstanding !== undefined) return { status: 'incomplete', why: outstanding };
  for (const [inst, list] of invoked) if (list.length > 1) return { status: 'duplicate', why: `${inst} started ${list.length} times` };
  for (const [inst, list] of executed) if (list.length > 1) return { status: 'duplicate', why: `${inst} ended ${list.length} times` };
  return { status: 'kept', sample: buildSample(events, entry!, invoked, executed, received) };
}

function push<K, V>(m: Map<K, V[]>, k: K, v: V): void {
  const l = m.get(k);
  if (l) l.push(v);
  else m.set(k, [v]);
}

/** The first reason the run may still be in flight, or undefined when it is complete. */
function whyIncomplete(
  entry: Entry | undefined,
  invoked: Map<string, Invoked[]>,
  ended: Set<string>,
  sends: Map<string, Succ | SyncNode>,
  received: Map<string, Invoked>,
  hopLimited: Set<string>,
): string | undefined {
  if (!entry) return 'no ENTRY_POINT line';
  if (!ended.has(entry.instance)) return `${entry.instance} never ended`;
  for (const inst of invoked.keys()) if (!ended.has(inst)) return `${inst} never ended`;
  // a failed run too is waited for until its messages arrived, so its late lines do not come
  // back as a separate, never-complete run
  for (const [taint, s] of sends) if (!received.has(taint) && !hopLimited.has(s.successor)) return `message ${taint} from ${s.instance} to ${s.successor} never arrived`;
  // the entry's message comes from the client, which logs no line for it
  for (const [taint, r] of received) if (r.instance !== entry.instance && !sends.has(taint)) return `sender of message ${taint} to ${r.instance} not seen`;
  return undefined;
}

/** Optional additive field: seconds from the client's request to the entry's start, if the runtime logs it. */
function clientLatency(e: Entry): number | null {
  const v = (e as Record<string, unknown>).client_latency_s;
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : null;
}

function buildSample(
  events: readonly LogEvent[],
  entry: Entry,
  invoked: Map<string, Invoked[]>,
  executed: Map<string, Executed[]>,
  received: Map<string, Invoked>,
): RunSample {
  // A function's timeline starts when its handler starts: total_s and every offset_s are
  // measured from there. Its lines come later (INVOKED follows the execution claim and the
  // payload load), so the start is EXECUTED.time − total_s. Measuring latency to that start
  // (not to the INVOKED line) keeps latency + duration equal to the real timeline, and equals
  // the network's delivery latency (on the local cloud: the virtual clock's draw, to the ms).
  const regionOf = new Map<string, string>([[entry.instance, entry.region]]);
  for (const [inst, [ev]] of invoked) if (ev) regionOf.set(inst, ev.region);
  const startMs = new Map<string, number>();
  for (const [inst, [ex]] of executed) if (ex) startMs.set(inst, msOf(ex) - ex.total_s * 1000);
  const t0 = startMs.get(entry.instance) ?? msOf(entry);
  const execs = new Map<string, ExecutionRecord>();
  for (const [inst, [ex]] of executed) {
    if (!ex) continue;
    execs.set(inst, {
      instance: inst,
      region: regionOf.get(inst) ?? ex.region,
      start_s: Math.max(0, (startMs.get(inst)! - t0) / 1000),
      duration_s: Math.max(ex.user_s, ex.total_s),
      cpu_s: ex.cpu_s,
      memory_mb: ex.memory_mb,
      data_transfer_gb: 0,
      calls: {},
    });
  }
  const transmissions: TransmissionRecord[] = [];
  const invokedPairs = new Set<string>();
  const skipped: Array<[string, string]> = [];
  const skippedPairs = new Set<string>();
  const skip = (e: NonExec | SyncNode) => {
    const k = `${e.instance}\u0000${e.successor}`;
    if (!skippedPairs.has(k)) {
      skippedPairs.add(k);
      skipped.push([e.instance, e.successor]);
    }
  };
  for (const e of events) {
    if (e.event === 'JOIN_DATA') {
      const x = execs.get(e.instance);
      if (x) x.data_transfer_gb += e.download_gb;
    } else if (e.event === 'CONDITIONAL_NON_EXECUTION') {
      skip(e);
    } else if (e.event === 'INVOKING_SUCCESSOR' || e.event === 'INVOKING_SYNC_NODE') {
      if (e.event === 'INVOKING_SYNC_NODE') {
        // a slot resolved on behalf of an instance that did not run is not an outcome of the
        // logger's own edge (and the instance that did not run has no edge outcome to count)
        const pred = (e as { predecessor?: unknown }).predecessor;
        if (typeof pred === 'string' && pred !== e.instance) continue;
        if (e.skipped) {
          skip(e);
          continue;
        }
      }
      invokedPairs.add(`${e.instance}\u0000${e.successor}`);
      const x = execs.get(e.instance);
      // several call sites of one instance into the same join: the latest call is the one the join waits for
      if (x) x.calls[e.successor] = Math.max(x.calls[e.successor] ?? 0, e.offset_s);
      const rcv = e.taint !== null ? received.get(e.taint) : undefined;
      const isJoin = e.event === 'INVOKING_SYNC_NODE';
      transmissions.push({
        from: e.instance,
        to: e.successor,
        from_region: e.region,
        // where it really ran (a fallback may differ from the region the sender aimed at)
        to_region: rcv ? rcv.region : e.successor_region,
        size_gb: e.payload_gb,
        // clock skew between hosts can make a difference negative; it is a latency of ~0
        latency_s: rcv && (!isJoin || e.fired) ? Math.max(0, ((startMs.get(rcv.instance) ?? msOf(rcv)) - msOf(e)) / 1000) : null,
        sync_gb: isJoin ? (e as SyncNode).sync_data_gb : null,
      });
    }
  }
  const executions = [...execs.values()];
  let runtime = 0;
  for (const x of executions) runtime = Math.max(runtime, x.start_s + x.duration_s);
  return {
    start_ms: msOf(entry),
    runtime_s: runtime,
    entry: { instance: entry.instance, region: entry.region, payload_gb: entry.payload_gb, wpd_gb: entry.wpd_gb, client_latency_s: clientLatency(entry) },
    executions,
    transmissions,
    skipped: skipped.filter(([a, b]) => !invokedPairs.has(`${a}\u0000${b}`)),
  };
}
