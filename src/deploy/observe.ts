/**
 * What a user looks at after a run: the logs of a workflow's functions (console output and the
 * runtime's events, filtered by run and function) and its status (where it runs now and hour by
 * hour, the plan's expiry, the last solve and migration, recent runs). Reads only; the CLI's
 * `logs`, `status` and `list` print these records.
 */
import type { Cloud } from '../cloud/ports';
import { decodeOrThrow } from '../model/decode';
import { DeploymentManagerInfo } from '../model/deployment-manager';
import { DeploymentResources } from '../model/deployment-resources';
import { UserError } from '../model/errors';
import { LOG_PREFIX } from '../model/log-event';
import { routeForRun } from '../model/placement';
import { StagedPlan } from '../model/staging';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { CLIENT_LOG_STREAM, loadDeployed } from './run';
import { traceRunFromLogs } from './run-trace';

/** One line of a workflow's logs. */
export interface LogEntry {
  time: string;
  region: string;
  /** the logical function (`hello`), or `client` for the process that started runs */
  function: string;
  /**
   * The run the line belongs to: an event's own run id; for console output, the run of the
   * runtime event before it in the same stream (the invocation that printed it).
   */
  run_id: string | null;
  kind: 'event' | 'console';
  /** events only: INVOKED, EXECUTED, USER_CODE_FAILURE, … */
  event?: string;
  instance?: string;
  /** console: the line as printed; event: a one-line summary */
  text: string;
}

export interface LogQuery {
  runId?: string;
  /** a logical function name of the workflow */
  functionName?: string;
  /** ms since epoch; default: everything kept */
  since?: number;
}

async function resourcesOf(cloud: Cloud, workflowId: string): Promise<DeploymentResources> {
  const raw = await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId);
  if (raw === undefined) throw new UserError(`no workflow ${workflowId} is deployed (see caribou list)`);
  return decodeOrThrow(DeploymentResources, raw, `${TABLES.deploymentResources}[${workflowId}]`);
}

/** The log lines of a deployed workflow matching `q`, oldest first. */
export async function readWorkflowLogs(cloud: Cloud, workflowId: string, q: LogQuery = {}): Promise<LogEntry[]> {
  const resources = await resourcesOf(cloud, workflowId);
  const names = [...new Set(resources.functions.map((f) => f.function_name))];
  if (q.functionName !== undefined && !names.includes(q.functionName))
    throw new UserError(`workflow ${workflowId} has no function "${q.functionName}"; its functions are ${names.join(', ')}`);
  const streams = new Map<string, { region: string; physical: string; fn: string }>();
  for (const f of resources.functions) streams.set(`${f.region}/${f.physical_name}`, { region: f.region, physical: f.physical_name, fn: f.function_name });
  // the local cloud keeps the run client's events in a stream of their own (on AWS they go to the CLI's stderr)
  if (q.functionName === undefined && cloud.target === 'local') streams.set(`${SYSTEM_REGION}/${CLIENT_LOG_STREAM}`, { region: SYSTEM_REGION, physical: CLIENT_LOG_STREAM, fn: 'client' });
  const since = q.since ?? 0;
  const out: Array<LogEntry & { ms: number; order: number }> = [];
  let order = 0;
  for (const s of streams.values()) {
    if (q.functionName !== undefined && s.fn !== q.functionName) continue;
    let current: string | null = null;
    for (const l of await cloud.logs.read(s.region, s.physical, since, Number.MAX_SAFE_INTEGER)) {
      const entry = parseLine(l.line, s.region, s.fn, l.time);
      if (entry.kind === 'event') {
        // the client stream is shared by every workflow
        if (s.fn === 'client' && !l.line.includes(`"workflow_id":"${workflowId}"`)) continue;
        current = entry.run_id;
      } else entry.run_id = current;
      if (q.runId !== undefined && entry.run_id !== q.runId) continue;
      out.push({ ...entry, ms: l.time, order: order++ });
    }
  }
  out.sort((a, b) => a.ms - b.ms || a.order - b.order);
  return out.map(({ ms: _ms, order: _o, ...e }) => e);
}

/** One raw log line as a LogEntry (run_id of console lines is filled by the caller). */
export function parseLine(line: string, region: string, fn: string, timeMs: number): LogEntry {
  const time = new Date(timeMs).toISOString();
  if (line.startsWith(LOG_PREFIX)) {
    try {
      const ev = JSON.parse(line.slice(LOG_PREFIX.length)) as Record<string, unknown>;
      if (typeof ev.event === 'string' && typeof ev.run_id === 'string')
        return { time, region, function: fn, run_id: ev.run_id, kind: 'event', event: ev.event, instance: String(ev.instance ?? ''), text: summarise(ev) };
    } catch {
      // not an event after all: shown as printed
    }
  }
  return { time, region, function: fn, run_id: null, kind: 'console', text: line };
}

/** An event in one line: its name, instance and the fields a reader needs. */
function summarise(ev: Record<string, unknown>): string {
  const parts = [String(ev.event), String(ev.instance ?? '')];
  if (ev.successor) parts.push(`→ ${String(ev.successor)}${ev.successor_region ? ` in ${String(ev.successor_region)}` : ''}${ev.skipped ? ' (skipped)' : ''}`);
  if (ev.time_key !== undefined) parts.push(`route ${String(ev.time_key)} (${String(ev.route_reason ?? '')})`);
  if (ev.error) parts.push(`error: ${String(ev.error)}`);
  return parts.filter(Boolean).join(' ');
}

/** The text form of a log entry, one line. */
export function formatLogEntry(e: LogEntry): string {
  return `${e.time}  ${e.region}  ${e.function}  ${e.run_id ?? '-'}  ${e.text}`;
}

/** A run as `status` shows it. */
export interface RunStatus {
  run_id: string;
  started: string;
  status: 'succeeded' | 'failed' | 'running';
  /** the route the run took: an hour key of the plan, or "home" */
  route: string | null;
  errors: string[];
}

/** What `caribou status` reports. */
export interface WorkflowStatus {
  workflow_id: string;
  home_region: string;
  /** the cloud's time (the virtual clock locally) */
  now: string;
  /** where a run started now goes */
  current: { route: string; reason: string; regions: string[]; placements: Record<string, string> };
  /** the migrated plan, hour by hour, or null when the workflow runs at home */
  plan: null | { expiry_time: string; expired: boolean; hours: Array<{ hour: string; placements: Record<string, string> }> };
  /** when the placement decision last changed (deploy or migration) */
  last_migration: string | null;
  last_solve: null | { solved_at: string | null; decision: string | null; reason: string | null; decided_at: string | null; next_check: string | null };
  /** a solve staged and not yet applied by the migrator */
  staged_plan: null | { solved_at: string; expiry_time: string; algorithm: string };
  recent_runs: RunStatus[];
}

const regionsOf = (p: Record<string, { region: string }>): Record<string, string> => Object.fromEntries(Object.entries(p).map(([i, v]) => [i, v.region]));

/** Where a deployed workflow runs now (the route a run started now takes). */
export async function currentPlacement(cloud: Cloud, workflowId: string): Promise<WorkflowStatus['current'] & { home_region: string }> {
  const { config, wpd } = await loadDeployed(cloud, workflowId);
  const route = routeForRun(wpd, cloud.now());
  const placements = regionsOf(route.placements);
  return { home_region: config.home_region.region, route: route.time_key, reason: route.reason, regions: [...new Set(Object.values(placements))].sort(), placements };
}

/** The status of a deployed workflow, with its `recentRuns` latest runs (from the logs). */
export async function workflowStatus(cloud: Cloud, workflowId: string, recentRuns = 5): Promise<WorkflowStatus> {
  const { config, wpd } = await loadDeployed(cloud, workflowId);
  const now = cloud.now();
  const route = routeForRun(wpd, now);
  const placements = regionsOf(route.placements);
  const cd = wpd.current_deployment;
  const plan = cd
    ? {
        expiry_time: cd.expiry_time,
        expired: Date.parse(cd.expiry_time) <= now.getTime(),
        hours: [...cd.time_keys].sort((a, b) => Number(a) - Number(b)).map((hour) => ({ hour, placements: regionsOf({ ...wpd.home_deployment, ...cd.instances[hour] }) })),
      }
    : null;
  const rawInfo = await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, workflowId);
  const info = rawInfo === undefined ? undefined : decodeOrThrow(DeploymentManagerInfo, rawInfo, `${TABLES.deploymentManagerWorkflowInfo}[${workflowId}]`);
  const rawStaged = await cloud.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, workflowId);
  const staged = rawStaged === undefined ? undefined : decodeOrThrow(StagedPlan, rawStaged, `${TABLES.solverStagingArea}[${workflowId}]`);

  const resources = await resourcesOf(cloud, workflowId);
  const entries = recentRuns > 0 ? await readWorkflowLogs(cloud, workflowId) : [];
  const starts = new Map<string, { started: string; route: string | null }>();
  for (const e of entries) {
    if (e.kind !== 'event' || !e.run_id) continue;
    const s = starts.get(e.run_id) ?? { started: e.time, route: null };
    if (e.event === 'ENTRY_POINT') s.route = /route (\S+)/.exec(e.text)?.[1] ?? null;
    starts.set(e.run_id, s);
  }
  const latest = [...starts.entries()].sort((a, b) => b[1].started.localeCompare(a[1].started)).slice(0, recentRuns);
  const runs: RunStatus[] = [];
  for (const [runId, s] of latest) {
    const t = await traceRunFromLogs(cloud, resources, wpd.entry_instance, runId, 0, Number.MAX_SAFE_INTEGER);
    runs.push({ run_id: runId, started: s.started, status: t.failed ? 'failed' : t.done ? 'succeeded' : 'running', route: s.route, errors: t.errors });
  }
  return {
    workflow_id: workflowId,
    home_region: config.home_region.region,
    now: now.toISOString(),
    current: { route: route.time_key, reason: route.reason, regions: [...new Set(Object.values(placements))].sort(), placements },
    plan,
    last_migration: wpd.updated_at ?? null,
    last_solve: info
      ? { solved_at: info.last_solved ?? null, decision: info.last_decision?.action ?? null, reason: info.last_decision?.reason ?? null, decided_at: info.last_decision?.decided_at ?? null, next_check: info.next_check }
      : null,
    staged_plan: staged ? { solved_at: staged.solved_at, expiry_time: staged.expiry_time, algorithm: staged.algorithm } : null,
    recent_runs: runs,
  };
}

/** `status` in words. */
export function describeStatus(s: WorkflowStatus): string {
  const lines = [`workflow ${s.workflow_id}  (home ${s.home_region}; now ${s.now})`];
  const where = s.current.route === 'home' ? `home deployment (${s.current.reason === 'expired' ? 'the plan expired' : 'no plan'})` : `plan of hour ${s.current.route}`;
  lines.push(`runs now in ${s.current.regions.join(', ')}: ${where}`);
  for (const [i, r] of Object.entries(s.current.placements)) lines.push(`  ${i}  ${r}`);
  if (s.plan) {
    lines.push(`plan: ${s.plan.hours.length} hour slot(s), ${s.plan.expired ? 'expired' : 'expires'} ${s.plan.expiry_time}`);
    for (const h of s.plan.hours) lines.push(`  from ${h.hour.padStart(2, '0')}:00 UTC  ${[...new Set(Object.values(h.placements))].sort().join(', ')}`);
  } else lines.push('plan: none (runs at home until a solve is migrated)');
  lines.push(`last migration: ${s.last_migration ?? 'never'}`);
  if (s.last_solve)
    lines.push(`last solve: ${s.last_solve.solved_at ?? 'never'}; last decision ${s.last_solve.decision ?? '-'} at ${s.last_solve.decided_at ?? '-'} (${s.last_solve.reason ?? ''}); next check ${s.last_solve.next_check ?? '-'}`);
  else lines.push('last solve: never (manage_deployments has not looked at it)');
  if (s.staged_plan) lines.push(`staged plan: solved ${s.staged_plan.solved_at} (${s.staged_plan.algorithm}), waiting for run_deployment_migrator`);
  lines.push(s.recent_runs.length ? 'recent runs:' : 'recent runs: none in the logs');
  for (const r of s.recent_runs) lines.push(`  ${r.run_id}  ${r.started}  ${r.status}${r.route ? `  route ${r.route}` : ''}${r.errors.length ? `  ${r.errors.join('; ')}` : ''}`);
  return lines.join('\n');
}

/**
 * Prints new log lines as they arrive until `signal` aborts: every `intervalMs` it opens the
 * cloud, reads what is new and closes it again (the local cloud is locked while open, and
 * `caribou run` in another terminal must be able to open it meanwhile).
 */
export async function followWorkflowLogs(
  withOpenCloud: <T>(fn: (cloud: Cloud) => Promise<T>) => Promise<T>,
  workflowId: string,
  q: LogQuery,
  onEntry: (e: LogEntry) => void,
  opts: { intervalMs: number; signal: AbortSignal },
): Promise<void> {
  const seen = new Set<string>();
  let since = q.since ?? 0;
  while (!opts.signal.aborted) {
    const entries = await withOpenCloud((cloud) => readWorkflowLogs(cloud, workflowId, { ...q, since }));
    for (const e of entries) {
      const key = `${e.time}\n${e.region}\n${e.function}\n${e.text}`;
      if (seen.has(key)) continue;
      seen.add(key);
      onEntry(e);
    }
    // lines at the last time seen may still be joined by more at that same millisecond
    if (entries.length) since = Date.parse(entries[entries.length - 1].time);
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, opts.intervalMs);
      opts.signal.addEventListener('abort', () => (clearTimeout(t), resolve()), { once: true });
    });
  }
}
