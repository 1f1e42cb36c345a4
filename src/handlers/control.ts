/**
 * The non-solve tasks of CaribouCycle: Collect (three collectors), SyncLogs, Decide, Migrate.
 * Each decodes its input, calls the core, and returns a small summary.
 */
import type { Cloud } from '../cloud/ports';
import { collectCarbon, collectPerformance, collectProvider, type CollectReport } from '../collect';
import { withSecrets } from '../cloud/secrets';
import { DECIDE } from '../decide/budget';
import { listWorkflows, manageDeployments } from '../decide/manager';
import { UserError } from '../model/errors';
import { decodeOrThrow } from '../model/decode';
import { runDeploymentMigrator, type WorkflowMigration } from '../migrate';
import { syncAllWorkflows } from '../sync';
import { CycleInput, MigrateInput, type SolveRef } from './io';
import { writeTicket } from './solve';

/** A collector's result, small enough for a state payload. */
export interface CollectSummary {
  collector: string;
  ok: true;
  regions: number;
  warnings: string[];
}

function summarize(r: CollectReport): CollectSummary {
  return { collector: r.collector, ok: true, regions: Object.keys(r.sources).length, warnings: r.warnings.slice(0, 5) };
}

/** CollectProvider: prices and power constants of every available region. */
export async function collectProviderTask(cloud: Cloud): Promise<CollectSummary> {
  return summarize(await collectProvider(cloud.tables, { date: cloud.now() }));
}

/** CollectCarbon: the day's hourly grid intensity of every region. */
export async function collectCarbonTask(cloud: Cloud): Promise<CollectSummary> {
  // the token comes from the secret store at run time; the function's environment names it only
  const env = await withSecrets(process.env, cloud.secrets, ['ELECTRICITY_MAPS_AUTH_TOKEN']);
  return summarize(await collectCarbon(cloud.tables, { date: cloud.now(), env }));
}

/** CollectPerformance: inter-region latency distributions. */
export async function collectPerformanceTask(cloud: Cloud): Promise<CollectSummary> {
  return summarize(await collectPerformance(cloud.tables, { date: cloud.now() }));
}

/** SyncLogs: rebuilds runs from function logs into workflow_summary_table, every workflow; one failing workflow is reported, not fatal. */
export async function syncLogsTask(cloud: Cloud): Promise<{ workflows: Array<{ workflow_id: string; kept?: number; started?: number; error?: string }> }> {
  const r = await syncAllWorkflows({ tables: cloud.tables, logs: cloud.logs, now: () => cloud.now() });
  return { workflows: r.map((w) => ({ workflow_id: w.workflow_id, kept: w.report?.runs.kept, started: w.report?.runs.started, error: w.error })) };
}

/** Decide's output: the workflows due for a solve (by reference) and every verdict in words. */
export interface DecideResult {
  due: SolveRef[];
  decisions: Array<{ workflow_id: string; action: string; reason: string; algorithm?: string; solves_per_day?: number }>;
}

/** A solve id: unique per workflow and decision time, safe as a storage key. */
export function solveIdOf(workflowId: string, at: Date): string {
  return `${workflowId}@${at.toISOString().replace(/[:.]/g, '-')}`;
}

/** Decide: refreshes each workflow's instance summary, runs the deployment manager, and hands the due ones to Solve. */
export async function decideTask(cloud: Cloud, event: unknown): Promise<DecideResult> {
  const input = decodeOrThrow(CycleInput, event ?? {}, 'CaribouCycle input');
  if (input.solves_per_day !== undefined && !(DECIDE.SOLVES_PER_DAY as readonly number[]).includes(input.solves_per_day))
    throw new UserError(`solves_per_day must be one of ${DECIDE.SOLVES_PER_DAY.join(', ')}; got ${input.solves_per_day}`);
  const now = cloud.now();
  const collected = await collectWorkflowSummaries(cloud, input.workflows);
  const decisions = await manageDeployments(cloud.tables, { now, force: input.force, workflows: input.workflows, solvesPerDay: input.solves_per_day });
  const due: SolveRef[] = [];
  for (const d of decisions) {
    if (d.action !== 'solve') continue;
    const solve_id = solveIdOf(d.workflow_id, now);
    await writeTicket(cloud, solve_id, { decision: d, tuning: input.solve ?? {} });
    due.push({ workflow_id: d.workflow_id, solve_id });
  }
  return {
    due,
    decisions: decisions.map((d) => ({
      workflow_id: d.workflow_id,
      action: d.action,
      reason: collected[d.workflow_id] ? `${d.reason} (workflow collector: ${collected[d.workflow_id]})` : d.reason,
      algorithm: d.algorithm,
      solves_per_day: d.solves_per_day,
    })),
  };
}

/**
 * Runs the workflow collector (summary → instance record) for each workflow, as Caribou's
 * manager did before deciding. Adapter over src/collect/workflow, loaded lazily; its errors
 * are returned per workflow so one bad summary never stops the others.
 */
export async function collectWorkflowSummaries(cloud: Cloud, only?: string[]): Promise<Record<string, string>> {
  const notes: Record<string, string> = {};
  let mod: { collectWorkflow?: (tables: Cloud['tables'], workflowId: string, now: Date) => Promise<unknown> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('../collect/workflow');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    return notes; // no workflow collector in this build: decide on the instance records as they are
  }
  if (typeof mod.collectWorkflow !== 'function') throw new Error('the workflow collector (src/collect/workflow) exports no collectWorkflow');
  for (const id of only ?? (await listWorkflows(cloud.tables))) {
    try {
      await mod.collectWorkflow(cloud.tables, id, cloud.now());
    } catch (err) {
      notes[id] = `failed: ${(err as Error).message}`;
    }
  }
  return notes;
}

/** Migrate: one migrator pass (every workflow with a staged plan or functions retiring). */
export async function migrateTask(cloud: Cloud, event: unknown): Promise<{ workflows: WorkflowMigration[] }> {
  const input = decodeOrThrow(MigrateInput, event ?? {}, 'Migrate input');
  return { workflows: await runDeploymentMigrator(cloud, { workflows: input.workflows }) };
}
