/**
 * The solver's input: everything it reads from the tables for one workflow, gathered once.
 * It is JSON-serialisable (a codec below), so a control plane can store it in a table and
 * hand Monte Carlo batches a reference instead of the data itself.
 */
import * as t from 'io-ts';
import type { KeyValueStore } from '../cloud/ports/key-value';
import { decodeOrThrow } from '../model/decode';
import { UserError } from '../model/errors';
import { AvailableRegion, CarbonRegionRecord, PerformanceRegionRecord, ProviderRegionRecord } from '../model/region-data';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { WorkflowConfig } from '../model/workflow-config';
import { WorkflowInstanceRecord } from '../model/workflow-instance';

/** Everything a solve reads, keyed by region code. */
export const SolveInput = t.strict({
  workflow_id: t.string,
  config: WorkflowConfig,
  /** measured runs; null when the workflow collector has not written any yet */
  instance: t.union([WorkflowInstanceRecord, t.null]),
  /** keys of available_regions_table (region codes), sorted */
  available_regions: t.array(t.string),
  provider: t.record(t.string, ProviderRegionRecord),
  carbon: t.record(t.string, CarbonRegionRecord),
  performance: t.record(t.string, PerformanceRegionRecord),
});
export type SolveInput = t.TypeOf<typeof SolveInput>;

/** Decodes a stored workflow config: either the record itself or Caribou's `{workflow_config: "<json>"}` wrapper. */
export function decodeWorkflowConfigItem(raw: unknown, workflowId: string): WorkflowConfig {
  const where = `${TABLES.deploymentManagerResource}[${workflowId}]`;
  let value = raw;
  if (value && typeof value === 'object' && 'workflow_config' in value) {
    const inner = (value as { workflow_config: unknown }).workflow_config;
    value = typeof inner === 'string' ? JSON.parse(inner) : inner;
  }
  return decodeOrThrow(WorkflowConfig, value, where);
}

/**
 * Reads one workflow's solve input from the system tables (in SYSTEM_REGION). Region records
 * are read for every available region plus the system region (where the placement decision is
 * read from); a region with no record is simply absent and the calculators fall back.
 */
export async function loadSolveInput(kv: KeyValueStore, workflowId: string): Promise<SolveInput> {
  const get = (table: string, key: string) => kv.get(SYSTEM_REGION, table, key);
  let rawConfig: unknown;
  try {
    rawConfig = await get(TABLES.deploymentManagerResource, workflowId);
  } catch (err) {
    throw new UserError(`cannot read ${TABLES.deploymentManagerResource} (${(err as Error).message}); is the framework set up (caribou setup_tables)?`);
  }
  if (rawConfig === undefined)
    throw new UserError(`workflow ${workflowId} is not deployed: ${TABLES.deploymentManagerResource} has no entry for it`);
  const config = decodeWorkflowConfigItem(rawConfig, workflowId);
  const rawInstance = await get(TABLES.workflowInstance, workflowId);
  const instance = rawInstance === undefined ? null : decodeOrThrow(WorkflowInstanceRecord, rawInstance, `${TABLES.workflowInstance}[${workflowId}]`);

  const available: string[] = [];
  let keys: string[];
  try {
    keys = await kv.keys(SYSTEM_REGION, TABLES.availableRegions);
  } catch (err) {
    throw new UserError(`cannot list ${TABLES.availableRegions} (${(err as Error).message}); collect region data first (caribou data_collect)`);
  }
  for (const key of keys) {
    const raw = await get(TABLES.availableRegions, key);
    // keys are region codes; a record whose provider is not AWS is not a candidate
    const rec = decodeOrThrow(AvailableRegion, raw, `${TABLES.availableRegions}[${key}]`);
    if (rec.provider === 'aws') available.push(rec.code);
  }
  available.sort();
  const regions = [...new Set([...available, config.home_region.region, SYSTEM_REGION])].sort();

  const provider: Record<string, ProviderRegionRecord> = {};
  const carbon: Record<string, CarbonRegionRecord> = {};
  const performance: Record<string, PerformanceRegionRecord> = {};
  for (const region of regions) {
    const p = await get(TABLES.providerRegion, region);
    if (p !== undefined) provider[region] = decodeOrThrow(ProviderRegionRecord, p, `${TABLES.providerRegion}[${region}]`);
    const c = await get(TABLES.carbonRegion, region);
    if (c !== undefined) carbon[region] = decodeOrThrow(CarbonRegionRecord, c, `${TABLES.carbonRegion}[${region}]`);
    const f = await get(TABLES.performanceRegion, region);
    if (f !== undefined) performance[region] = decodeOrThrow(PerformanceRegionRecord, f, `${TABLES.performanceRegion}[${region}]`);
  }
  return { workflow_id: workflowId, config, instance, available_regions: available, provider, carbon, performance };
}
