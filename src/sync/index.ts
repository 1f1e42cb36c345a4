/**
 * The log syncer: reads each deployed function's runtime log lines since the last sync,
 * rebuilds runs, and keeps a bounded, compressed summary per workflow in
 * workflow_summary_table, which the workflow collector (src/collect/workflow) turns into
 * what the solver learns from.
 *
 *   const report = await syncWorkflowLogs({ tables, logs, now: () => new Date() }, 'map_reduce-0.0.1');
 *   console.log(formatSyncReport(report));
 *
 * Reading is incremental and exact: the window [watermark, now − buffer) is read as
 * half-open intervals, so a line is read once and only once however syncs are spaced, and
 * lines sharing a timestamp on a boundary all fall in the later window. The window is cut
 * into chunks on a fixed grid (UTC days by default); after each chunk the summary and the
 * new watermark are written in ONE item, so an interrupted sync resumes where the last
 * commit left it and, being deterministic, ends with the same summary as an uninterrupted one.
 *
 * Pure apart from the ports: no clock (injected), no randomness, no AWS SDK.
 */
import type { KeyValueStore } from '../cloud/ports/key-value';
import type { LogLine, Logs } from '../cloud/ports/logs';
import { DecodeError, decodeOrThrow } from '../model/decode';
import { DeploymentResources } from '../model/deployment-resources';
import { UserError } from '../model/errors';
import type { LogEvent } from '../model/log-event';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import {
  type PendingRun,
  type RunSample,
  type WorkflowSummary,
  type WorkflowSummaryItem,
  compressPending,
  compressSummaryBody,
  decodeSummaryItem,
  emptySummary,
  itemBytes,
  summaryItemFromParts,
  toSummaryBody,
} from '../model/workflow-summary';
import { SKIP_REASONS, type SkipReason, parseLogLine } from './parse';
import { dayOf, judgeRun } from './rebuild';
import { retainRuns } from './retain';

export { parseLogLine } from './parse';
export type { SkipReason } from './parse';
export { judgeRun } from './rebuild';
export { retainRuns } from './retain';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/** What the syncer needs from the cloud. */
export interface SyncDeps {
  tables: KeyValueStore;
  logs: Logs;
  /** the current time (virtual on the local cloud) */
  now: () => Date | number;
}

/** Tunables; every one has Caribou's value or a documented default. */
export interface SyncOptions {
  /** lines newer than now − buffer are left for the next sync, in case they arrive late (Caribou: 15 min) */
  bufferMs?: number;
  /** runs and daily counts older than this are forgotten; also how far back a first sync reads (Caribou: 30 days) */
  retentionDays?: number;
  /** runs kept per workflow (Caribou: 5,000) */
  maxRuns?: number;
  /** beyond the cap, a run is still kept if it has a sample key seen fewer than this many times (Caribou: 10) */
  keepAlive?: number;
  /** a complete run is final once its last line is this much older than the window end */
  settleMs?: number;
  /** an incomplete run is given up once its last line is this much older than the window end */
  staleMs?: number;
  /** the window is cut on a grid of this step (ms since epoch; default one UTC day) */
  chunkMs?: number;
  /** the stored item must stay under this (DynamoDB's limit is 400 KB including names; default leaves a margin) */
  maxItemBytes?: number;
  /** at most this much of the item holds runs still in flight */
  maxPendingBytes?: number;
  /** at most this many runs still in flight are carried to the next sync */
  maxPendingRuns?: number;
  /** called after each committed chunk (progress, tests) */
  onCommit?: (chunkEndMs: number) => void;
  /**
   * Ignore the stored summary and rebuild it from the logs of the retention window (e.g. after
   * a summary could not be decoded). Exact, because a sync is a function of the lines read.
   */
  reset?: boolean;
}

export const SYNC_DEFAULTS: Required<Omit<SyncOptions, 'onCommit' | 'reset'>> = {
  bufferMs: 15 * MINUTE,
  retentionDays: 30,
  maxRuns: 5000,
  keepAlive: 10,
  settleMs: MINUTE,
  staleMs: 60 * MINUTE,
  chunkMs: DAY,
  maxItemBytes: 380_000,
  maxPendingBytes: 100_000,
  maxPendingRuns: 5000,
};

/** Counters of one sync: what was read, kept, dropped and why. */
export interface SyncReport {
  workflow_id: string;
  /** the window read: [from, to) */
  from: string;
  to: string;
  functions: number;
  chunks: number;
  lines: number;
  events: number;
  skipped: Record<SkipReason, number>;
  /** up to 3 examples of skipped caribou lines (malformed / unknown version), for diagnosis */
  examples: string[];
  /** where the records the log store could not read are (file:line or stream), and what is wrong; the first 20 */
  corrupt: Array<{ where: string; problem: string }>;
  runs: {
    /** ENTRY_POINT lines read (counted in daily_invocation_counts) */
    started: number;
    /** rebuilt and added to the summary */
    kept: number;
    failed: number;
    /** never completed within staleMs */
    incomplete: number;
    /** an instance ran twice (at-least-once delivery); dropped rather than double-counted */
    duplicate: number;
    /** still possibly in flight: carried to the next sync */
    pending: number;
    /** in flight but over the pending bounds: dropped */
    pending_overflow: number;
    /** older than the retention window */
    expired: number;
    /** beyond the run cap and not needed for a rarely seen key */
    over_cap: number;
    /** removed to keep the item under the size limit */
    size_trimmed: number;
  };
  /** why incomplete runs were dropped, with counts (first few reasons) */
  incomplete_reasons: Record<string, number>;
  summary: { runs: number; pending: number; bytes: number };
}

function newReport(workflowId: string, from: number, to: number, functions: number): SyncReport {
  return {
    workflow_id: workflowId,
    from: new Date(from).toISOString(),
    to: new Date(to).toISOString(),
    functions,
    chunks: 0,
    lines: 0,
    events: 0,
    skipped: Object.fromEntries(SKIP_REASONS.map((r) => [r, 0])) as Record<SkipReason, number>,
    examples: [],
    corrupt: [],
    runs: { started: 0, kept: 0, failed: 0, incomplete: 0, duplicate: 0, pending: 0, pending_overflow: 0, expired: 0, over_cap: 0, size_trimmed: 0 },
    incomplete_reasons: {},
    summary: { runs: 0, pending: 0, bytes: 0 },
  };
}

/** Reads the stored summary of a workflow, or undefined when it has never been synced. */
export async function readSummary(tables: KeyValueStore, workflowId: string): Promise<WorkflowSummary | undefined> {
  const raw = await tables.get(SYSTEM_REGION, TABLES.workflowSummary, workflowId);
  return raw === undefined ? undefined : decodeSummaryItem(raw, `${TABLES.workflowSummary}[${workflowId}]`);
}

/** The chunk ends on the grid of `step` within (from, to], ending with `to`. */
export function chunkEnds(from: number, to: number, step: number): number[] {
  const ends: number[] = [];
  let next = (Math.floor(from / step) + 1) * step;
  while (next < to) {
    ends.push(next);
    next += step;
  }
  if (to > from) ends.push(to);
  return ends;
}

/** Syncs one workflow's logs into its summary; returns what was read, kept and dropped. */
export async function syncWorkflowLogs(deps: SyncDeps, workflowId: string, options: SyncOptions = {}): Promise<SyncReport> {
  // an option given as undefined keeps its default
  const o = { ...SYNC_DEFAULTS, ...Object.fromEntries(Object.entries(options).filter(([, v]) => v !== undefined)) } as typeof SYNC_DEFAULTS & SyncOptions;
  const nowMs = +deps.now();
  const end = nowMs - o.bufferMs;
  const retentionMs = o.retentionDays * DAY;

  const rawRes = await deps.tables.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId);
  if (rawRes === undefined) throw new UserError(`workflow ${workflowId} has no ${TABLES.deploymentResources} entry: is it deployed?`);
  const resources = decodeOrThrow(DeploymentResources, rawRes, `${TABLES.deploymentResources}[${workflowId}]`);
  const seen = new Set<string>();
  const functions = resources.functions.filter((f) => {
    const k = `${f.region}/${f.physical_name}`;
    return seen.has(k) ? false : (seen.add(k), true);
  });

  await deps.tables.ensureTable(SYSTEM_REGION, TABLES.workflowSummary);
  const stored = o.reset ? undefined : await readSummary(deps.tables, workflowId);
  let state = stored ?? emptySummary(workflowId, end - retentionMs, new Date(nowMs));
  const report = newReport(workflowId, state.synced_until_ms, Math.max(end, state.synced_until_ms), functions.length);

  for (const chunkEnd of chunkEnds(state.synced_until_ms, end, o.chunkMs)) {
    const chunkStart = state.synced_until_ms;
    const lines: Array<{ time: number; fn: number; i: number; line: string; corrupt?: LogLine['corrupt'] }> = [];
    const reads = await mapLimit(functions, READ_CONCURRENCY, (f) => deps.logs.read(f.region, f.physical_name, chunkStart, chunkEnd));
    reads.forEach((ls, fn) => ls.forEach((l, i) => lines.push({ time: l.time, fn, i, line: l.line, corrupt: l.corrupt })));
    // one order however the reads interleave: time, then function, then position
    lines.sort((a, b) => a.time - b.time || a.fn - b.fn || a.i - b.i);
    state = applyChunk(state, lines, chunkEnd, nowMs, o, retentionMs, report);
    const item = await commit(deps.tables, state, o, report);
    report.chunks++;
    report.summary = { runs: state.runs.length, pending: state.pending.length, bytes: itemBytes(item) };
    o.onCommit?.(chunkEnd);
  }
  report.runs.pending = state.pending.length;
  if (report.chunks === 0) report.summary = { runs: state.runs.length, pending: state.pending.length, bytes: 0 };
  return report;
}

/** CloudWatch Logs throttles FilterLogEvents per account and region: a few reads at a time. */
const READ_CONCURRENCY = 4;

/** `f` over `items` with at most `limit` calls in flight; results in input order. */
async function mapLimit<T, R>(items: readonly T[], limit: number, f: (t: T) => Promise<R>): Promise<R[]> {
  const out = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      out[i] = await f(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return out;
}

/** Folds one chunk's lines into the state (pure apart from counting into `report`). */
function applyChunk(
  prev: WorkflowSummary,
  lines: ReadonlyArray<{ line: string; corrupt?: LogLine['corrupt'] }>,
  chunkEnd: number,
  nowMs: number,
  o: typeof SYNC_DEFAULTS,
  retentionMs: number,
  report: SyncReport,
): WorkflowSummary {
  const invocations = { ...prev.daily_invocation_counts };
  const failures = { ...prev.daily_failure_counts };
  const pending = new Map<string, LogEvent[]>(prev.pending.map((p) => [p.run_id, [...p.events]]));
  const hasEntry = new Set<string>();
  for (const p of prev.pending) if (p.events.some((e) => e.event === 'ENTRY_POINT')) hasEntry.add(p.run_id);

  for (const { line, corrupt } of lines) {
    report.lines++;
    if (corrupt) {
      // counted and named, never fatal: the other runs still sync (a run that lost a line ends incomplete)
      report.skipped.corrupt++;
      if (report.corrupt.length < 20) report.corrupt.push(corrupt);
      continue;
    }
    const p = parseLogLine(line, prev.workflow_id);
    if (!p.ok) {
      report.skipped[p.reason]++;
      if (p.reason !== 'foreign' && p.reason !== 'other_workflow' && report.examples.length < 3) report.examples.push(`${p.reason}: ${p.detail ?? ''}: ${line.slice(0, 120)}`);
      continue;
    }
    report.events++;
    const ev = p.event;
    let list = pending.get(ev.run_id);
    if (!list) pending.set(ev.run_id, (list = []));
    list.push(ev);
    if (ev.event === 'ENTRY_POINT' && !hasEntry.has(ev.run_id)) {
      hasEntry.add(ev.run_id);
      report.runs.started++;
      const day = dayOf(p.ms);
      invocations[day] = (invocations[day] ?? 0) + 1;
    }
  }

  const fresh: RunSample[] = [];
  const stillPending: PendingRun[] = [];
  for (const [run_id, events] of pending) {
    const v = judgeRun(events, chunkEnd, o.settleMs, o.staleMs);
    switch (v.status) {
      case 'pending':
        stillPending.push({ run_id, events });
        break;
      case 'kept':
        fresh.push(v.sample);
        report.runs.kept++;
        break;
      case 'failed':
        failures[v.day] = (failures[v.day] ?? 0) + 1;
        report.runs.failed++;
        break;
      case 'incomplete': {
        report.runs.incomplete++;
        const why = v.why.replace(/[0-9a-f]{8,}[-0-9a-f]*/gi, '…');
        if (why in report.incomplete_reasons || Object.keys(report.incomplete_reasons).length < 8)
          report.incomplete_reasons[why] = (report.incomplete_reasons[why] ?? 0) + 1;
        break;
      }
      case 'duplicate':
        report.runs.duplicate++;
        break;
    }
  }
  // too many runs in flight (a burst, or a runtime that never logs an end): keep the newest
  if (stillPending.length > o.maxPendingRuns) {
    stillPending.sort((a, b) => firstMs(a) - firstMs(b));
    report.runs.pending_overflow += stillPending.length - o.maxPendingRuns;
    stillPending.splice(0, stillPending.length - o.maxPendingRuns);
  }

  // stable: equal start times keep their (deterministic) order
  const all = [...prev.runs, ...fresh.sort((a, b) => a.start_ms - b.start_ms)].sort((a, b) => a.start_ms - b.start_ms);
  const minStart = chunkEnd - retentionMs;
  const r = retainRuns(all, { minStartMs: minStart, cap: o.maxRuns, keepAlive: o.keepAlive });
  report.runs.expired += r.expired;
  report.runs.over_cap += r.overCap;
  const minDay = dayOf(minStart);
  return {
    workflow_id: prev.workflow_id,
    synced_until_ms: chunkEnd,
    updated_at: new Date(nowMs).toISOString(),
    runs: r.kept,
    pending: stillPending,
    daily_invocation_counts: keepDays(invocations, minDay),
    daily_failure_counts: keepDays(failures, minDay),
  };
}

function firstMs(p: PendingRun): number {
  let m = Infinity;
  for (const e of p.events) m = Math.min(m, Date.parse(e.time));
  return m;
}

function keepDays(counts: Record<string, number>, minDay: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const day of Object.keys(counts).sort()) if (day >= minDay) out[day] = counts[day]!;
  return out;
}

/**
 * Encodes the state within the size limit and writes it (summary + watermark, one item).
 * Over the limit, in-flight runs are bounded first (to their share), then the run cap is
 * lowered, keeping the rule for rare keys, and as a last resort the oldest runs go.
 */
async function commit(tables: KeyValueStore, state: WorkflowSummary, o: typeof SYNC_DEFAULTS, report: SyncReport): Promise<WorkflowSummaryItem> {
  let pendingData = compressPending(state.pending);
  while (pendingData.length > o.maxPendingBytes && state.pending.length > 0) {
    const drop = Math.max(1, Math.ceil(state.pending.length * (1 - (0.95 * o.maxPendingBytes) / pendingData.length)));
    state.pending.sort((a, b) => firstMs(a) - firstMs(b));
    state.pending.splice(0, drop);
    report.runs.pending_overflow += drop;
    pendingData = compressPending(state.pending);
  }
  const emptyItem = summaryItemFromParts(state, '', pendingData);
  const budget = o.maxItemBytes - itemBytes(emptyItem);
  let data = compressSummaryBody(toSummaryBody(state));
  while (data.length > budget && state.runs.length > 0) {
    const target = Math.max(0, Math.floor(state.runs.length * Math.min(0.97, (0.97 * budget) / data.length)));
    // lower the cap until newest + rarely-seen runs together number `target`
    let cap = target;
    let kept = retainRuns(state.runs, { minStartMs: -Infinity, cap, keepAlive: o.keepAlive }).kept;
    while (kept.length > target && cap > 0) {
      cap = Math.max(0, cap - (kept.length - target));
      kept = retainRuns(state.runs, { minStartMs: -Infinity, cap, keepAlive: o.keepAlive }).kept;
    }
    // the rare-key rule alone can hold more than fits: then the oldest go first
    if (kept.length > target) kept = kept.slice(kept.length - target);
    report.runs.size_trimmed += state.runs.length - kept.length;
    state.runs = kept;
    data = compressSummaryBody(toSummaryBody(state));
  }
  const item = summaryItemFromParts(state, data, pendingData);
  await tables.put(SYSTEM_REGION, TABLES.workflowSummary, state.workflow_id, item);
  return item;
}

/** Syncs every deployed workflow (or only `workflowId`); a failing workflow is reported, the others still sync. */
export async function syncAllWorkflows(
  deps: SyncDeps,
  options: SyncOptions & { workflowId?: string } = {},
): Promise<Array<{ workflow_id: string; report?: SyncReport; error?: string; internal?: true }>> {
  const ids = options.workflowId ? [options.workflowId] : await deps.tables.keys(SYSTEM_REGION, TABLES.deploymentResources).catch(() => [] as string[]);
  const out: Array<{ workflow_id: string; report?: SyncReport; error?: string; internal?: true }> = [];
  for (const id of ids) {
    try {
      out.push({ workflow_id: id, report: await syncWorkflowLogs(deps, id, options) });
    } catch (err) {
      if (options.workflowId) throw err;
      // internal: not the user's input or state at fault (the exit code says which)
      const internal = !(err instanceof UserError || err instanceof DecodeError);
      out.push({ workflow_id: id, error: (err as Error).message, ...(internal ? { internal: true as const } : {}) });
    }
  }
  return out;
}

/** Renders a report for people: what was read, kept, dropped and why. */
export function formatSyncReport(r: SyncReport): string {
  const skipped = Object.entries(r.skipped).filter(([, n]) => n > 0);
  const dropped: Array<[string, number]> = (
    [
      ['failed', r.runs.failed],
      ['incomplete', r.runs.incomplete],
      ['duplicate', r.runs.duplicate],
      ['pending overflow', r.runs.pending_overflow],
      ['expired (retention)', r.runs.expired],
      ['over the run cap', r.runs.over_cap],
      ['trimmed for item size', r.runs.size_trimmed],
    ] as Array<[string, number]>
  ).filter(([, n]) => n > 0);
  const out = [
    `${r.workflow_id}: logs ${r.from} → ${r.to} (${r.functions} functions, ${r.chunks} chunks)`,
    `  read     ${r.lines} lines, ${r.events} runtime events${skipped.length ? `; skipped ${skipped.map(([k, n]) => `${n} ${k.replace('_', ' ')}`).join(', ')}` : ''}`,
    `  runs     ${r.runs.started} started, ${r.runs.kept} kept, ${r.runs.pending} still in flight (carried to the next sync)`,
    `  dropped  ${dropped.length ? dropped.map(([k, n]) => `${n} ${k}`).join(', ') : 'none'}`,
  ];
  for (const [why, n] of Object.entries(r.incomplete_reasons)) out.push(`           incomplete ×${n}: ${why}`);
  for (const ex of r.examples) out.push(`           e.g. ${ex}`);
  for (const c of r.corrupt) out.push(`           corrupt line skipped: ${c.where}: ${c.problem}`);
  if (r.skipped.corrupt > r.corrupt.length) out.push(`           … and ${r.skipped.corrupt - r.corrupt.length} more corrupt line(s)`);
  out.push(`  summary  ${r.summary.runs} runs, ${r.summary.pending} in flight, ${(r.summary.bytes / 1024).toFixed(1)} KB stored`);
  return out.join('\n');
}
