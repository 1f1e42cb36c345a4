import type { Cloud } from '../cloud/ports';
import type { LocalCloud } from '../cloud/local';
import type { RuntimeEnv } from '../../sdk/runtime/env';
import { startRun } from '../../sdk/runtime';
import { UserError } from '../model/errors';
import { WorkflowPlacementDecision } from '../model/placement';
import { decodeOrThrow } from '../model/decode';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { WorkflowConfig } from '../model/workflow-config';
import { newRunId } from './run-id';
import { traceRunFromLogs } from './run-trace';
import type { DeploymentResources } from '../model/deployment-resources';

/** The stream (in SYSTEM_REGION) where the local cloud keeps what the run client logged. */
export const CLIENT_LOG_STREAM = 'caribou_client';

/** One instance of a finished run. */
export interface RunInstance {
  instance: string;
  region: string;
  start: string;
  end: string | null;
  /** local cloud: executed, failed (threw, timed out, or its delivery exhausted its retries), hop-limit, or incomplete (never finished) */
  outcome?: 'executed' | 'failed' | 'hop-limit' | 'incomplete';
  /** local cloud: deliveries that reached it (retries and duplicates included) */
  attempts?: number;
  error?: string;
  /** local cloud: what a final instance returned, when JSON */
  result?: unknown;
}

/**
 * What `caribou run --json` prints. status: succeeded (everything that should run ran),
 * failed (a function threw, timed out or hit the hop limit, or a delivery exhausted its
 * retries: see errors), incomplete (the cloud could not finish the run: a message dropped,
 * an instance left unfinished; never success), started (AWS without --wait).
 */
export interface RunResult {
  run_id: string;
  status: 'succeeded' | 'failed' | 'incomplete' | 'started';
  instances: RunInstance[];
  /** why it failed or is incomplete (one line per failed instance or abandoned delivery) */
  errors?: string[];
  /** the route the run took: an hour key of the plan, or "home" */
  time_key?: string;
  /** local cloud with CARIBOU_LOCAL_FAULTS: faults injected into the run's calls */
  faults_injected?: number;
}

export interface RunOptions {
  /** with `wait` where runs are not drained here (AWS): give up after this many seconds (default 300) */
  waitTimeoutS?: number;
  /** virtual UTC start time (local cloud); default: the cloud's clock */
  at?: Date;
  /** wait for the run to finish (the local cloud always finishes the runs it starts before the command ends) */
  wait?: boolean;
  runId?: string;
}

/** A deployed workflow's config and placement decision, or a clear error for an unknown id. */
export async function loadDeployed(cloud: Cloud, workflowId: string): Promise<{ config: WorkflowConfig; wpd: WorkflowPlacementDecision }> {
  const rawConfig = await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerResource, workflowId);
  const rawWpd = await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, workflowId);
  if (rawConfig === undefined || rawWpd === undefined) throw new UserError(`no workflow ${workflowId} is deployed (see caribou list)`);
  return {
    config: decodeOrThrow(WorkflowConfig, rawConfig, `deployment_manager_resource_table[${workflowId}]`),
    wpd: decodeOrThrow(WorkflowPlacementDecision, rawWpd, `workflow_placement_decision_table[${workflowId}]`),
  };
}

function isLocal(cloud: Cloud): cloud is LocalCloud {
  return cloud.target === 'local' && typeof (cloud as LocalCloud).drain === 'function';
}

/** The environment of the client that starts runs (the CLI): it sits outside every region. */
function clientEnv(cloud: Cloud, at: () => Date): RuntimeEnv {
  return {
    region: SYSTEM_REGION,
    tables: cloud.tables,
    // locally the client publishes on its own clock (a run --at a past time sends then)
    messaging: isLocal(cloud) ? cloud.messagingAt(() => at().getTime()) : cloud.messaging,
    packages: cloud.packages,
    now: at,
    log: (line) => {
      if (isLocal(cloud)) cloud.engine.logClient(SYSTEM_REGION, CLIENT_LOG_STREAM, at().getTime(), line);
      else console.error(line);
    },
  };
}

/** Parses the `-a` argument of `caribou run` as JSON, with a clear error if it is not. */
export function parseRunArgument(text: string | undefined): unknown {
  if (text === undefined) return null;
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UserError(`the run argument is not valid JSON (${(err as Error).message}): ${text.length > 80 ? text.slice(0, 77) + '...' : text}\n  e.g. caribou run <workflow_id> -a '{"message": "hello"}'`);
  }
}

/**
 * Starts one run of a deployed workflow with `payload` (what `caribou run` does). On the
 * local cloud it then drains the virtual clock and returns the run's status and timeline;
 * on AWS it returns once the entry message is published (status "started").
 */
export async function runWorkflow(cloud: Cloud, workflowId: string, payload: unknown, opts: RunOptions = {}): Promise<RunResult> {
  const [r] = await runMany(cloud, workflowId, [payload], opts);
  return r;
}

/**
 * Starts many runs in one process and (locally) drains them together: the fast path for
 * benchmarks and tests. Run i starts at `at + i · spacingS` seconds of virtual time.
 */
export async function runMany(
  cloud: Cloud,
  workflowId: string,
  payloads: unknown[],
  opts: RunOptions & { spacingS?: number; homeOnly?: (i: number) => boolean } = {},
): Promise<RunResult[]> {
  const { config, wpd } = await loadDeployed(cloud, workflowId);
  const base = (opts.at ?? cloud.now()).getTime();
  if (Number.isNaN(base)) throw new UserError('the start time is not a valid date');
  const started: Array<{ runId: string; timeKey: string }> = [];
  for (let i = 0; i < payloads.length; i++) {
    const at = new Date(base + i * (opts.spacingS ?? 0) * 1000);
    const runId = (i === 0 && opts.runId) || newRunId();
    if (isLocal(cloud)) {
      cloud.advanceTo(at); // a run in the future moves the clock; one in the past keeps it
      cloud.engine.watch(runId);
    }
    try {
      // homeOnly: run i ignores the plan (the home counterfactual of an A/B comparison)
      const w = opts.homeOnly?.(i) ? { ...wpd, current_deployment: null } : wpd;
      const s = await startRun(clientEnv(cloud, () => at), w, config, payloads[i], { runId });
      started.push({ runId: s.runId, timeKey: String(s.route.time_key) });
    } catch (err) {
      if ((err as Error)?.name === 'NotJsonError') throw new UserError((err as Error).message);
      if (isLocal(cloud)) cloud.engine.trace(runId, true);
      throw err;
    }
  }
  if (!isLocal(cloud)) {
    if (!opts.wait) return started.map((s) => ({ run_id: s.runId, status: 'started', instances: [], time_key: s.timeKey }));
    return waitFromLogs(cloud, workflowId, wpd.entry_instance, started, base, opts.waitTimeoutS ?? 300);
  }
  await cloud.drain();
  return started.map((s) => {
    const t = cloud.engine.trace(s.runId, true)!;
    return {
      run_id: s.runId,
      status: t.status,
      instances: t.instances,
      ...(t.errors.length ? { errors: t.errors } : {}),
      time_key: s.timeKey,
      ...(cloud.knobs.faults > 0 ? { faults_injected: t.faults_injected } : {}),
    };
  });
}

/**
 * Waits for runs on a cloud that runs them by itself (AWS): polls the functions' log
 * streams until each run is complete (traceRunFromLogs), or gives up after `timeoutS`.
 */
async function waitFromLogs(
  cloud: Cloud,
  workflowId: string,
  entryInstance: string,
  started: Array<{ runId: string; timeKey: string }>,
  since: number,
  timeoutS: number,
): Promise<RunResult[]> {
  const resources = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId)) as DeploymentResources | undefined;
  if (!resources) throw new UserError(`no workflow ${workflowId} is deployed (see caribou list)`);
  const deadline = Date.now() + timeoutS * 1000;
  const results = new Map<string, RunResult>();
  for (;;) {
    for (const s of started) {
      if (results.has(s.runId)) continue;
      // log lines arrive with their own clock; a minute of slack on both sides
      const t = await traceRunFromLogs(cloud, resources, entryInstance, s.runId, since - 60_000, cloud.now().getTime() + 60_000);
      if (t.done) results.set(s.runId, { run_id: s.runId, status: t.failed ? 'failed' : 'succeeded', instances: t.instances, ...(t.errors.length ? { errors: t.errors } : {}), time_key: s.timeKey });
    }
    if (results.size === started.length) return started.map((s) => results.get(s.runId)!);
    if (Date.now() > deadline) {
      const open = started.filter((s) => !results.has(s.runId)).map((s) => s.runId);
      throw new UserError(`run ${open.join(', ')} did not finish within ${timeoutS} s (its functions' logs show work still pending); look at the functions' logs`);
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
