/**
 * workflow_summary_table[workflow_id]: what the log syncer keeps of a workflow's runs — a
 * bounded set of rebuilt runs, the runs that may still be in flight, daily counts, and the
 * watermark up to which logs were read. Summary and watermark live in ONE item so a sync
 * commits both atomically: an interrupted sync leaves the previous consistent state.
 *
 * The item is compressed (node:zlib, deflate) and base64-encoded, because a workflow at the
 * 5,000-run cap would otherwise exceed DynamoDB's 400 KB item limit. Runs are stored in a
 * compact tuple form with a string table (instance and region names), integer bytes and
 * integer microseconds; `encodeSummaryItem` / `decodeSummaryItem` are the one codec.
 */
import * as t from 'io-ts';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { decodeOrThrow } from './decode';
import { LogEvent } from './log-event';
import { IsoTime, NonNegative } from './primitives';

// ---------------------------------------------------------------- the decoded (working) form

/** One execution of an instance within a run. */
export interface ExecutionRecord {
  instance: string;
  region: string;
  /** seconds from the entry handler's start to this handler's start (EXECUTED.time − total_s) */
  start_s: number;
  /** max(user time, total time) as logged */
  duration_s: number;
  /** CPU seconds when the runtime could measure them */
  cpu_s: number | null;
  memory_mb: number;
  /** data moved while running that no edge accounts for (join downloads) */
  data_transfer_gb: number;
  /** successor instance → seconds from this function's start to the call */
  calls: Record<string, number>;
}

/** One message from an instance to a successor (an SNS publish or a join upload). */
export interface TransmissionRecord {
  from: string;
  to: string;
  from_region: string;
  to_region: string;
  size_gb: number;
  /** receiver handler's start − the sender's INVOKING_* line time; null for a join upload that did not fire the join */
  latency_s: number | null;
  /** join edges only: the data the join table returned to the writer */
  sync_gb: number | null;
}

/** One rebuilt, complete and successful run. */
export interface RunSample {
  /** ms since epoch of the ENTRY_POINT line (orders runs, dates them, ages them out) */
  start_ms: number;
  /** end-to-end: latest function end − the entry handler's start */
  runtime_s: number;
  entry: { instance: string; region: string; payload_gb: number; wpd_gb: number; client_latency_s: number | null };
  executions: ExecutionRecord[];
  transmissions: TransmissionRecord[];
  /** [from, to] call sites skipped on this run (conditional non-executions), where no call on that edge happened */
  skipped: Array<[string, string]>;
}

/** Log events of a run that may still be in flight at the end of the window read so far. */
export interface PendingRun {
  run_id: string;
  /** set when its ENTRY_POINT was read (and counted) */
  events: LogEvent[];
}

/** The syncer's whole state for one workflow. */
export interface WorkflowSummary {
  workflow_id: string;
  /** exclusive end (ms since epoch) of the log window read so far; lines with time < this were read */
  synced_until_ms: number;
  updated_at: string;
  /** kept runs, oldest first */
  runs: RunSample[];
  pending: PendingRun[];
  /** UTC day YYYY-MM-DD → runs started that day (every run, kept or not) */
  daily_invocation_counts: Record<string, number>;
  /** UTC day → runs that failed (user code failure or hop limit) */
  daily_failure_counts: Record<string, number>;
}

/** An empty summary whose window starts at `startMs`. */
export function emptySummary(workflowId: string, startMs: number, now: Date): WorkflowSummary {
  return {
    workflow_id: workflowId,
    synced_until_ms: startMs,
    updated_at: now.toISOString(),
    runs: [],
    pending: [],
    daily_invocation_counts: {},
    daily_failure_counts: {},
  };
}

// ---------------------------------------------------------------- the compact stored form

/** A codec for a fixed-shape JSON array checked by `ok` (io-ts's t.tuple stops at 5 members). */
function shape<T>(name: string, ok: (u: unknown[]) => boolean): t.Type<T, T, unknown> {
  const is = (u: unknown): u is T => Array.isArray(u) && ok(u);
  return new t.Type<T, T, unknown>(name, is, (u, c) => (is(u) ? t.success(u) : t.failure(u, c, name)), t.identity);
}
const num = (u: unknown): boolean => typeof u === 'number' && Number.isFinite(u);
const nums = (u: unknown): boolean => Array.isArray(u) && u.every(num);
const numsAt = (a: unknown[], n: number): boolean => a.length >= n && a.slice(0, n).every(num);

type EntryT = [number, number, number, number, number];
type ExecT = [number, number, number, number, number, number, number, number[]];
type TxT = [number, number, number, number, number, number, number];
type RunT = [number, number, EntryT, ExecT[], TxT[], number[]];
/** [instance, region, payload_bytes, wpd_bytes, client_latency_us | -1] (names are string-table indices) */
const EntryTuple = shape<EntryT>('an entry tuple of 5 numbers', (a) => a.length === 5 && numsAt(a, 5));
/** [instance, region, start_us, duration_us, cpu_us | -1, memory_mb, data_transfer_bytes, [succ, offset_us, …]] */
const ExecTuple = shape<ExecT>('an execution tuple', (a) => a.length === 8 && numsAt(a, 7) && nums(a[7]));
/** [from, to, from_region, to_region, size_bytes, latency_us | -1, sync_bytes | -1] */
const TxTuple = shape<TxT>('a transmission tuple of 7 numbers', (a) => a.length === 7 && numsAt(a, 7));
/** [start_ms delta from the previous run, runtime_us, entry, executions, transmissions, skipped pairs flattened] */
const RunTuple = shape<RunT>(
  'a run tuple',
  (a) =>
    a.length === 6 &&
    numsAt(a, 2) &&
    EntryTuple.is(a[2]) &&
    Array.isArray(a[3]) &&
    a[3].every((x) => ExecTuple.is(x)) &&
    Array.isArray(a[4]) &&
    a[4].every((x) => TxTuple.is(x)) &&
    nums(a[5]),
);

/** The JSON inside the compressed `data` attribute. */
export const SummaryBody = t.strict({
  v: t.literal(1),
  names: t.array(t.string),
  runs: t.array(RunTuple),
  daily_invocation_counts: t.record(t.string, NonNegative),
  daily_failure_counts: t.record(t.string, NonNegative),
});
export type SummaryBody = t.TypeOf<typeof SummaryBody>;

/**
 * The JSON inside the compressed `pending` attribute. Events are kept as logged (fields the
 * runtime adds later survive a round trip) and checked with LogEvent.is when read back.
 */
export const PendingBody = t.strict({ v: t.literal(1), runs: t.array(t.strict({ run_id: t.string, events: t.array(t.UnknownRecord) })) });

/** The item as stored in workflow_summary_table. */
export const WorkflowSummaryItem = t.strict({
  workflow_id: t.string,
  format: t.literal('caribou-summary/1'),
  encoding: t.literal('deflate-raw+base64'),
  /** readable copy of the watermark (the body does not repeat it) */
  synced_until: IsoTime,
  updated_at: IsoTime,
  run_count: NonNegative,
  pending_count: NonNegative,
  data: t.string,
  pending: t.string,
});
export type WorkflowSummaryItem = t.TypeOf<typeof WorkflowSummaryItem>;

const GB = 1024 ** 3;
const bytesOf = (gb: number): number => Math.round(gb * GB);
const usOf = (s: number): number => Math.round(s * 1e6);
const optUs = (s: number | null): number => (s === null ? -1 : usOf(s));
const optBytes = (gb: number | null): number => (gb === null ? -1 : bytesOf(gb));

/** Rounds seconds to the stored resolution (1 µs), so callers can compare with what a round trip returns. */
export function toStoredSeconds(s: number): number {
  return usOf(s) / 1e6;
}
/** Rounds GB to whole bytes, the stored resolution. */
export function toStoredGb(gb: number): number {
  return bytesOf(gb) / GB;
}

function compress(value: unknown): string {
  // level 9: the summary is written at most once per day-chunk; size matters more than CPU
  return deflateRawSync(Buffer.from(JSON.stringify(value)), { level: 9 }).toString('base64');
}
function decompress(data: string, what: string): unknown {
  try {
    return JSON.parse(inflateRawSync(Buffer.from(data, 'base64')).toString('utf8'));
  } catch (err) {
    throw new Error(`${what} is not valid compressed JSON: ${(err as Error).message}`);
  }
}

/** Encodes the runs and counts into the compact body (pure; no compression). */
export function toSummaryBody(s: Pick<WorkflowSummary, 'runs' | 'daily_invocation_counts' | 'daily_failure_counts'>): SummaryBody {
  const names: string[] = [];
  const index = new Map<string, number>();
  const n = (name: string): number => {
    let i = index.get(name);
    if (i === undefined) {
      i = names.length;
      names.push(name);
      index.set(name, i);
    }
    return i;
  };
  let prev = 0;
  const runs = s.runs.map((r): RunT => {
    const delta = r.start_ms - prev;
    prev = r.start_ms;
    return [
      delta,
      usOf(r.runtime_s),
      [n(r.entry.instance), n(r.entry.region), bytesOf(r.entry.payload_gb), bytesOf(r.entry.wpd_gb), optUs(r.entry.client_latency_s)],
      r.executions.map((x) => [
        n(x.instance),
        n(x.region),
        usOf(x.start_s),
        usOf(x.duration_s),
        optUs(x.cpu_s),
        x.memory_mb,
        bytesOf(x.data_transfer_gb),
        Object.entries(x.calls).flatMap(([succ, off]) => [n(succ), usOf(off)]),
      ]),
      r.transmissions.map((m) => [n(m.from), n(m.to), n(m.from_region), n(m.to_region), bytesOf(m.size_gb), optUs(m.latency_s), optBytes(m.sync_gb)]),
      r.skipped.flatMap(([a, b]) => [n(a), n(b)]),
    ];
  });
  return { v: 1, names, runs, daily_invocation_counts: s.daily_invocation_counts, daily_failure_counts: s.daily_failure_counts };
}

/** Decodes the compact body back into runs (pure). */
export function fromSummaryBody(body: SummaryBody, what = 'workflow summary'): Pick<WorkflowSummary, 'runs' | 'daily_invocation_counts' | 'daily_failure_counts'> {
  const name = (i: number): string => {
    const s = body.names[i];
    if (s === undefined) throw new Error(`${what}: name index ${i} is outside the string table`);
    return s;
  };
  const sec = (us: number): number | null => (us < 0 ? null : us / 1e6);
  const gb = (b: number): number | null => (b < 0 ? null : b / GB);
  let start = 0;
  const runs = body.runs.map(([delta, runtimeUs, e, execs, txs, sk]): RunSample => {
    start += delta;
    const skipped: Array<[string, string]> = [];
    for (let i = 0; i + 1 < sk.length; i += 2) skipped.push([name(sk[i]!), name(sk[i + 1]!)]);
    return {
      start_ms: start,
      runtime_s: runtimeUs / 1e6,
      entry: { instance: name(e[0]), region: name(e[1]), payload_gb: e[2] / GB, wpd_gb: e[3] / GB, client_latency_s: sec(e[4]) },
      executions: execs.map(([inst, reg, startUs, durUs, cpuUs, mem, dt, calls]) => {
        const c: Record<string, number> = {};
        for (let i = 0; i + 1 < calls.length; i += 2) c[name(calls[i]!)] = calls[i + 1]! / 1e6;
        return { instance: name(inst), region: name(reg), start_s: startUs / 1e6, duration_s: durUs / 1e6, cpu_s: sec(cpuUs), memory_mb: mem, data_transfer_gb: dt / GB, calls: c };
      }),
      transmissions: txs.map(([from, to, fr, tr, size, lat, sync]) => ({
        from: name(from),
        to: name(to),
        from_region: name(fr),
        to_region: name(tr),
        size_gb: size / GB,
        latency_s: sec(lat),
        sync_gb: gb(sync),
      })),
      skipped,
    };
  });
  return { runs, daily_invocation_counts: body.daily_invocation_counts, daily_failure_counts: body.daily_failure_counts };
}

/** Compresses the summary body alone (base64 string), e.g. to measure its size. */
export function compressSummaryBody(body: SummaryBody): string {
  return compress(body);
}
/** Compresses the pending runs alone (base64 string). */
export function compressPending(pending: PendingRun[]): string {
  return compress({ v: 1, runs: pending });
}

/** Builds the stored item from already compressed parts. */
export function summaryItemFromParts(s: WorkflowSummary, data: string, pending: string): WorkflowSummaryItem {
  return {
    workflow_id: s.workflow_id,
    format: 'caribou-summary/1',
    encoding: 'deflate-raw+base64',
    synced_until: new Date(s.synced_until_ms).toISOString(),
    updated_at: s.updated_at,
    run_count: s.runs.length,
    pending_count: s.pending.length,
    data,
    pending,
  };
}

/** Encodes a summary as the stored item (compressed). */
export function encodeSummaryItem(s: WorkflowSummary): WorkflowSummaryItem {
  return summaryItemFromParts(s, compressSummaryBody(toSummaryBody(s)), compressPending(s.pending));
}

/** Size in bytes the item takes, measured as its JSON (attribute names included), as DynamoDB counts roughly. */
export function itemBytes(item: WorkflowSummaryItem): number {
  return Buffer.byteLength(JSON.stringify(item));
}

/** Decodes a stored item (as read from the table) back into the summary; throws naming the problem. */
export function decodeSummaryItem(raw: unknown, what = 'workflow_summary_table item'): WorkflowSummary {
  const item = decodeOrThrow(WorkflowSummaryItem, raw, what);
  const body = decodeOrThrow(SummaryBody, decompress(item.data, `${what}.data`), `${what}.data`);
  const pending = decodeOrThrow(PendingBody, decompress(item.pending, `${what}.pending`), `${what}.pending`);
  const pendingRuns: PendingRun[] = pending.runs.map((r, i) => {
    for (const [j, e] of r.events.entries())
      if (!LogEvent.is(e)) throw new Error(`${what}.pending: run ${i} (${r.run_id}) event ${j} is not a valid log event`);
    return { run_id: r.run_id, events: r.events as LogEvent[] };
  });
  return {
    workflow_id: item.workflow_id,
    synced_until_ms: Date.parse(item.synced_until),
    updated_at: item.updated_at,
    pending: pendingRuns,
    ...fromSummaryBody(body, what),
  };
}
