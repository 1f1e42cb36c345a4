/**
 * The deployment manager over the tables: loads what `decideWorkflow` needs for every
 * workflow, decides, and writes the bookkeeping of skips. It touches the cloud only
 * through the KeyValueStore port; the verdict itself is the pure `decideWorkflow`.
 */
import type { KeyValueStore } from '../cloud/ports';
import { decodeOrThrow, decodeResult } from '../model/decode';
import { DeploymentDecision, DeploymentManagerInfo } from '../model/deployment-manager';
import { CarbonRegionRecord } from '../model/region-data';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { WorkflowConfig } from '../model/workflow-config';
import { WorkflowInstanceRecord } from '../model/workflow-instance';
import { commitSolve, decideWorkflow } from './budget';

/** Region keys may be stored as "aws:us-east-1" (Caribou) or "us-east-1": both read as the code. */
export function regionCodeOfKey(key: string): string {
  return key.startsWith('aws:') ? key.slice(4) : key;
}

/** Reads a record and decodes it, or undefined when absent. */
async function read<A>(tables: KeyValueStore, table: string, key: string, codec: { decode: (u: unknown) => unknown }, what: string): Promise<A | undefined> {
  const raw = await tables.get(SYSTEM_REGION, table, key);
  if (raw === undefined) return undefined;
  return decodeOrThrow(codec as never, raw, what) as A;
}

/** The carbon records by region code, and the available region codes; malformed rows are skipped (with a note). */
export async function loadRegionData(tables: KeyValueStore): Promise<{ available: string[]; carbon: Record<string, CarbonRegionRecord>; notes: string[] }> {
  const notes: string[] = [];
  const available = (await safeKeys(tables, TABLES.availableRegions)).map(regionCodeOfKey);
  const carbon: Record<string, CarbonRegionRecord> = {};
  for (const key of await safeKeys(tables, TABLES.carbonRegion)) {
    const r = decodeResult(CarbonRegionRecord, await tables.get(SYSTEM_REGION, TABLES.carbonRegion, key));
    if (r.ok) carbon[regionCodeOfKey(key)] = r.value;
    else notes.push(`carbon_region_table[${key}] is malformed; treated as missing`);
  }
  return { available: available.length ? available : Object.keys(carbon), carbon, notes };
}

async function safeKeys(tables: KeyValueStore, table: string): Promise<string[]> {
  try {
    return await tables.keys(SYSTEM_REGION, table);
  } catch {
    return [];
  }
}

/** Every deployed workflow (the keys of deployment_manager_resource_table). */
export async function listWorkflows(tables: KeyValueStore): Promise<string[]> {
  return safeKeys(tables, TABLES.deploymentManagerResource);
}

/** Loads a workflow's config or throws naming the workflow. */
export async function loadWorkflowConfig(tables: KeyValueStore, workflowId: string): Promise<WorkflowConfig> {
  const c = await read<WorkflowConfig>(tables, TABLES.deploymentManagerResource, workflowId, WorkflowConfig, `deployment_manager_resource_table[${workflowId}]`);
  if (!c) throw new Error(`workflow ${workflowId} is not deployed (no deployment_manager_resource_table entry)`);
  return c;
}

/** Options of one manager pass. */
export interface ManageOptions {
  now: Date;
  /** only these workflows (default: every deployed workflow) */
  workflows?: string[];
  /** ignore next_check */
  force?: boolean;
  /** hour slots to solve, overriding what the budget affords (see DecideInput.solvesPerDay) */
  solvesPerDay?: number;
}

/** Decides for every workflow; writes the bookkeeping of skips; returns every decision (solves to be run by the caller). */
export async function manageDeployments(tables: KeyValueStore, opts: ManageOptions): Promise<DeploymentDecision[]> {
  const ids = opts.workflows ?? (await listWorkflows(tables));
  const regionData = await loadRegionData(tables);
  const out: DeploymentDecision[] = [];
  for (const id of ids) {
    try {
      out.push(await decideOne(tables, id, regionData, opts));
    } catch (err) {
      // one workflow's bad record (or a removal mid-pass) must not stop the others; its
      // bookkeeping is left as it was, so the next pass tries again
      out.push({ workflow_id: id, action: 'skip', reason: `could not decide: ${(err as Error).message}`, decided_at: opts.now.toISOString(), invocations: 0, tokens: 0, budget: 0 });
    }
  }
  return out;
}

/** Decides for one workflow and writes its bookkeeping. */
async function decideOne(tables: KeyValueStore, id: string, regionData: Awaited<ReturnType<typeof loadRegionData>>, opts: ManageOptions): Promise<DeploymentDecision> {
  const config = await loadWorkflowConfig(tables, id);
  const info = await read<DeploymentManagerInfo>(tables, TABLES.deploymentManagerWorkflowInfo, id, DeploymentManagerInfo, `deployment_manager_workflow_info_table[${id}]`);
  const summary = await read<WorkflowInstanceRecord>(tables, TABLES.workflowInstance, id, WorkflowInstanceRecord, `workflow_instance_table[${id}]`);
  const { decision, infoNow } = decideWorkflow({
    now: opts.now,
    config,
    info,
    summary,
    availableRegions: regionData.available,
    carbon: regionData.carbon,
    systemRegion: SYSTEM_REGION,
    force: opts.force,
    solvesPerDay: opts.solvesPerDay,
  });
  if (infoNow) await tables.put(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, id, DeploymentManagerInfo.encode(infoNow));
  return decision;
}

/** Records a staged solve in the bookkeeping (last_solved, tokens_left, next_check). */
export async function recordSolved(tables: KeyValueStore, decision: DeploymentDecision, stagedAt: Date): Promise<DeploymentManagerInfo> {
  const id = decision.workflow_id;
  const prev = await read<DeploymentManagerInfo>(tables, TABLES.deploymentManagerWorkflowInfo, id, DeploymentManagerInfo, `deployment_manager_workflow_info_table[${id}]`);
  const next = commitSolve(prev, decision, stagedAt);
  await tables.put(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, id, DeploymentManagerInfo.encode(next));
  return next;
}
