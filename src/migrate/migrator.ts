/**
 * The deployment migrator: turns staged plans into live placement decisions.
 *
 * Per workflow, holding its lease, every step idempotent:
 *  1. deploy  — each (function, region) a staged plan uses that is not deployed (or not
 *               live) is deployed there (code, topic, subscription, join table) and recorded
 *               in deployment_resources at once, so a crash leaves nothing untracked;
 *  2. verify  — every function and topic the plan routes to is live;
 *  3. switch  — one write of the WPD's current_deployment (hour keys, expiry): the only
 *               moment routing changes, so a crash before it leaves the old decision in force;
 *  4. unstage — the staged plan is deleted, only if it is still the one applied;
 *  5. retire  — deployed functions that neither home, the live plan (unexpired), nor a staged plan uses
 *               are marked with `retire_after = now + grace`, grace being longer than the
 *               longest possible run (runs pick their routing once, at entry, and keep it);
 *  6. cleanup — marked functions past their time are removed (function, topic, logs, code
 *               copy), on this or a later pass.
 * A re-run after a crash at any point converges: what is done is skipped, what is not is done.
 */
import { ASYNC_EVENT_MAX_AGE_S, type Cloud } from '../cloud/ports';
import { deployFunctionToRegion } from '../deploy/deployer';
import { decodeOrThrow, decodeResult } from '../model/decode';
import { DeploymentResources, type DeployedFunction } from '../model/deployment-resources';
import { MIGRATION_TABLES, MigrationRecord, type RetiringFunction } from '../model/migration';
import { WorkflowPlacementDecision, type CurrentDeployment, type PlacementMap } from '../model/placement';
import { StagedPlan } from '../model/staging';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import { WorkflowConfig } from '../model/workflow-config';
import { DEFAULT_LEASE_TTL_S, acquireLease, describeHolder, readLease, releaseLease } from './lease';

/** The runtime's hop limit (DESIGN §4): no run has more hops than this. */
export const HOP_LIMIT = 20;
/** Slack per hop for delivery and retries on top of the function timeout (s). */
export const HOP_DELIVERY_SLACK_S = 60;
/** Extra margin on the grace period (s). */
export const GRACE_MARGIN_S = 15 * 60;

/** A step the migrator finished (tests stop it after any of them). */
export type MigrationStep =
  | { kind: 'leased'; workflow_id: string }
  | { kind: 'deployed'; workflow_id: string; function_name: string; region: string }
  | { kind: 'verified'; workflow_id: string }
  | { kind: 'switched'; workflow_id: string }
  | { kind: 'unstaged'; workflow_id: string }
  | { kind: 'retire-marked'; workflow_id: string }
  | { kind: 'removed'; workflow_id: string; function_name: string; region: string }
  | { kind: 'released'; workflow_id: string };

/** What happened to one workflow in one pass. */
export interface WorkflowMigration {
  workflow_id: string;
  status: 'migrated' | 'cleaned' | 'idle' | 'locked' | 'failed';
  /** "fn@region" deployed in this pass */
  deployed: string[];
  /** "fn@region" removed in this pass */
  removed: string[];
  /** "fn@region" waiting for their grace period */
  retiring: string[];
  /** instances placed outside home in at least one hour of the live plan */
  migrated_instances: number;
  switched: boolean;
  error?: string;
  /** why nothing was applied (status `locked`: who holds the lease, until when) */
  reason?: string;
}

export interface MigrateOptions {
  /** the clock (default: the cloud's) */
  now?: () => Date;
  /** only these workflows (default: every workflow with a staged plan or functions retiring) */
  workflows?: string[];
  /** who is migrating (for the lease) */
  owner?: string;
  leaseTtlS?: number;
  /** called after each finished step; a test throws here to simulate a crash */
  afterStep?: (step: MigrationStep) => void | Promise<void>;
}

/** Longest possible run of a workflow: every hop at the longest timeout plus delivery slack, plus a margin. */
export function graceSeconds(config: WorkflowConfig): number {
  const maxTimeout = Math.max(1, ...config.functions.map((f) => f.timeout));
  // also past the age at which a platform stops retrying a delayed delivery
  return Math.max(HOP_LIMIT * (maxTimeout + HOP_DELIVERY_SLACK_S), ASYNC_EVENT_MAX_AGE_S) + GRACE_MARGIN_S;
}

const pairKey = (fn: string, region: string) => `${fn}@${region}`;

/** The (function, region) pairs a plan's hour placements use. */
export function pairsOfPlan(config: WorkflowConfig, placements: Record<string, Record<string, string>>): Set<string> {
  const fnOf = new Map(config.instances.map((i) => [i.instance_name, i.function_name]));
  const out = new Set<string>();
  for (const byInstance of Object.values(placements))
    for (const [inst, region] of Object.entries(byInstance)) {
      const fn = fnOf.get(inst);
      if (!fn) throw new Error(`the staged plan of ${config.workflow_id} places "${inst}", which is not an instance of the workflow`);
      out.add(pairKey(fn, region));
    }
  return out;
}

/**
 * The (function, region) pairs a placement decision routes to: home, and every hour of the
 * live plan unless it expired before `at` (runs started since then go home; those started
 * before have the grace period to finish).
 */
export function pairsOfDecision(config: WorkflowConfig, wpd: WorkflowPlacementDecision, at?: Date): Set<string> {
  const fnOf = new Map(config.instances.map((i) => [i.instance_name, i.function_name]));
  const out = new Set<string>();
  const add = (m: PlacementMap) => {
    for (const [inst, p] of Object.entries(m)) out.add(pairKey(fnOf.get(inst) ?? inst, p.region));
  };
  add(wpd.home_deployment);
  const cd = wpd.current_deployment;
  if (cd && (!at || Date.parse(cd.expiry_time) > at.getTime())) for (const m of Object.values(cd.instances)) add(m);
  return out;
}

/** Instances that leave home in at least one hour of a live plan. */
export function migratedInstances(wpd: WorkflowPlacementDecision): number {
  const moved = new Set<string>();
  for (const m of Object.values(wpd.current_deployment?.instances ?? {}))
    for (const [inst, p] of Object.entries(m)) if (p.region !== wpd.home_deployment[inst]?.region) moved.add(inst);
  return moved.size;
}

/** Runs one migrator pass over the workflows that need one. */
export async function runDeploymentMigrator(cloud: Cloud, opts: MigrateOptions = {}): Promise<WorkflowMigration[]> {
  const t = cloud.tables;
  await t.ensureTable(SYSTEM_REGION, MIGRATION_TABLES.migration);
  let ids = opts.workflows;
  if (!ids) {
    const staged = await t.keys(SYSTEM_REGION, TABLES.solverStagingArea).catch(() => [] as string[]);
    const recorded = await t.keys(SYSTEM_REGION, MIGRATION_TABLES.migration).catch(() => [] as string[]);
    ids = [...new Set([...staged, ...recorded])].sort();
  }
  const out: WorkflowMigration[] = [];
  for (const id of ids) {
    try {
      out.push(await migrateWorkflow(cloud, id, opts));
    } catch (err) {
      // one workflow's failure never stops the others; its staged plan stays for the next pass
      out.push({ workflow_id: id, status: 'failed', deployed: [], removed: [], retiring: [], migrated_instances: 0, switched: false, error: (err as Error).message });
    }
  }
  return out;
}

/** Migrates one workflow under its lease (see the file comment for the steps). */
export async function migrateWorkflow(cloud: Cloud, workflowId: string, opts: MigrateOptions = {}): Promise<WorkflowMigration> {
  const t = cloud.tables;
  const now = () => (opts.now ? opts.now() : cloud.now());
  // a hook that throws stands for the process dying there (fault injection): nothing after it runs
  let stopped = false;
  const step = async (s: MigrationStep) => {
    try {
      if (opts.afterStep) await opts.afterStep(s);
    } catch (err) {
      stopped = true;
      throw err;
    }
  };
  const report: WorkflowMigration = { workflow_id: workflowId, status: 'idle', deployed: [], removed: [], retiring: [], migrated_instances: 0, switched: false };
  await t.ensureTable(SYSTEM_REGION, MIGRATION_TABLES.migration);
  const owner = opts.owner ?? `migrator-${process.pid}-${Math.random().toString(36).slice(2, 8)}`;
  const lease = await acquireLease(t, workflowId, owner, now(), opts.leaseTtlS ?? DEFAULT_LEASE_TTL_S);
  if (!lease) {
    // not applied: say who holds it (a holder that provably died was taken over by acquireLease)
    const held = (await readLease(t, workflowId, now())).holder;
    return { ...report, status: 'locked', reason: held ? `the migration lease is held by ${describeHolder(held)}` : 'another migrator took the lease at the same moment' };
  }
  try {
    await step({ kind: 'leased', workflow_id: workflowId });

    const configRaw = await t.get(SYSTEM_REGION, TABLES.deploymentManagerResource, workflowId);
    if (configRaw === undefined) {
      // removed meanwhile: forget our own records of it
      await t.delete(SYSTEM_REGION, MIGRATION_TABLES.migration, workflowId);
      await t.delete(SYSTEM_REGION, TABLES.solverStagingArea, workflowId);
      return report;
    }
    const config = decodeOrThrow(WorkflowConfig, configRaw, `deployment_manager_resource_table[${workflowId}]`);
    const grace = graceSeconds(config);
    const record: MigrationRecord = (await readRecord(cloud, workflowId)) ?? { workflow_id: workflowId, updated_at: now().toISOString(), grace_s: grace, retiring: [] };
    record.grace_s = grace;
    const log = (event: string) => {
      record.history = [...(record.history ?? []), { at: now().toISOString(), event }].slice(-20);
    };

    const resources = decodeOrThrow(DeploymentResources, await t.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId), `deployment_resources_table[${workflowId}]`);
    const saveResources = async () => {
      resources.updated_at = now().toISOString();
      await t.put(SYSTEM_REGION, TABLES.deploymentResources, workflowId, DeploymentResources.encode(resources));
    };
    let wpd = decodeOrThrow(WorkflowPlacementDecision, await t.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, workflowId), `workflow_placement_decision_table[${workflowId}]`);
    const find = (fn: string, region: string) => resources.functions.find((f) => f.function_name === fn && f.region === region);

    let planError: unknown;
    try {
      const stagedRaw = await t.get(SYSTEM_REGION, TABLES.solverStagingArea, workflowId);
      const staged = stagedRaw === undefined ? undefined : decodeOrThrow(StagedPlan, stagedRaw, `workflow_placement_solver_staging_area_table[${workflowId}]`);
      if (staged) {
        if (!resources.package_key) throw new Error(`deployment_resources_table[${workflowId}] has no package_key: cannot copy the code to new regions`);
        const needed = [...pairsOfPlan(config, staged.placements)].sort();
        // 1. deploy every function the plan needs where it is missing or not live
        const topicsIn = new Map<string, Set<string>>();
        const topicExists = async (region: string, topic: string) => {
          if (!topicsIn.has(region)) topicsIn.set(region, new Set(await cloud.messaging.listTopics(region)));
          return topicsIn.get(region)!.has(topic);
        };
        for (const key of needed) {
          const [fn, region] = key.split('@');
          const have = find(fn, region);
          // a cleanup that crashed between deleting the topic and the function leaves a live function without its topic
          if (have && (await cloud.functions.isLive(region, have.physical_name)) && (await topicExists(region, have.topic))) continue;
          const d = await deployFunctionToRegion(cloud, config, fn, region, resources.package_key);
          resources.functions = [...resources.functions.filter((f) => !(f.function_name === fn && f.region === region)), d];
          await saveResources();
          report.deployed.push(key);
          log(`deployed ${key}`);
          await step({ kind: 'deployed', workflow_id: workflowId, function_name: fn, region });
        }
        // 2. verify: every function is live and its topic exists
        const topicsByRegion = new Map<string, Set<string>>();
        for (const key of needed) {
          const [fn, region] = key.split('@');
          const d = find(fn, region);
          if (!d || !(await cloud.functions.isLive(region, d.physical_name))) throw new Error(`${key} is not live after deployment; the placement decision was not switched`);
          if (!topicsByRegion.has(region)) topicsByRegion.set(region, new Set(await cloud.messaging.listTopics(region)));
          if (!topicsByRegion.get(region)!.has(d.topic)) throw new Error(`the topic of ${key} does not exist; the placement decision was not switched`);
        }
        await step({ kind: 'verified', workflow_id: workflowId });
        // 3. switch: one write
        const current = currentDeploymentOf(config, staged, (fn, region) => find(fn, region)!);
        wpd = { ...wpd, current_deployment: current, updated_at: now().toISOString() };
        await t.put(SYSTEM_REGION, TABLES.workflowPlacementDecision, workflowId, WorkflowPlacementDecision.encode(wpd));
        record.applied = { solved_at: staged.solved_at, switched_at: now().toISOString(), metrics: staged.metrics };
        report.switched = true;
        log(`switched to the plan solved at ${staged.solved_at} (hours ${current.time_keys.join(',')}, valid until ${current.expiry_time})`);
        // recorded before unstaging, so that later passes visit this workflow to retire the old regions
        await saveRecord(cloud, record, now());
        await step({ kind: 'switched', workflow_id: workflowId });
        // 4. unstage, unless a newer plan was staged meanwhile (that one is for the next pass)
        const again = decodeResult(StagedPlan, await t.get(SYSTEM_REGION, TABLES.solverStagingArea, workflowId));
        if (again.ok && again.value.solved_at === staged.solved_at) await t.delete(SYSTEM_REGION, TABLES.solverStagingArea, workflowId);
        await step({ kind: 'unstaged', workflow_id: workflowId });
        report.status = 'migrated';
      }
    } catch (err) {
      if (stopped) throw err;
      // the plan could not be applied (the old decision stays in force); retiring and cleaning up
      // what nothing routes to must still happen, or one bad plan would keep old regions forever
      planError = err;
      log(`plan not applied: ${(err as Error).message}`);
    }

    // 5. retire what nothing routes to any more
    const inUse = pairsOfDecision(config, wpd, now());
    const pending = decodeResult(StagedPlan, await t.get(SYSTEM_REGION, TABLES.solverStagingArea, workflowId));
    if (pending.ok) for (const k of pairsOfPlan(config, pending.value.placements)) inUse.add(k);
    const nowIso = now().toISOString();
    const retireAfter = new Date(now().getTime() + grace * 1000).toISOString();
    const retiring: RetiringFunction[] = record.retiring.filter((r) => !inUse.has(pairKey(r.function_name, r.region)));
    for (const f of resources.functions) {
      const key = pairKey(f.function_name, f.region);
      if (inUse.has(key) || retiring.some((r) => pairKey(r.function_name, r.region) === key)) continue;
      retiring.push({ function_name: f.function_name, region: f.region, physical_name: f.physical_name, topic: f.topic, since: nowIso, retire_after: retireAfter });
      log(`unused: ${key}, removed after ${retireAfter}`);
    }
    record.retiring = retiring;
    await saveRecord(cloud, record, now());
    await step({ kind: 'retire-marked', workflow_id: workflowId });

    // 6. cleanup: remove what is past its grace period (function first, then the record: a crash leaks, never misroutes)
    const due = record.retiring.filter((r) => Date.parse(r.retire_after) <= now().getTime());
    const cd = wpd.current_deployment;
    if (due.length && cd && Date.parse(cd.expiry_time) <= now().getTime()) {
      // an expired plan routes nowhere, but it must not name functions that are about to go
      wpd = { ...wpd, current_deployment: null, updated_at: now().toISOString() };
      await t.put(SYSTEM_REGION, TABLES.workflowPlacementDecision, workflowId, WorkflowPlacementDecision.encode(wpd));
      log('dropped the expired plan');
    }
    for (const r of due) {
      await removeDeployed(cloud, workflowId, r, resources.package_key, resources.functions);
      resources.functions = resources.functions.filter((f) => !(f.function_name === r.function_name && f.region === r.region));
      await saveResources();
      record.retiring = record.retiring.filter((x) => x !== r);
      log(`removed ${pairKey(r.function_name, r.region)}`);
      await saveRecord(cloud, record, now());
      report.removed.push(pairKey(r.function_name, r.region));
      await step({ kind: 'removed', workflow_id: workflowId, function_name: r.function_name, region: r.region });
    }
    if (report.status === 'idle' && report.removed.length) report.status = 'cleaned';
    report.retiring = record.retiring.map((r) => pairKey(r.function_name, r.region));
    report.migrated_instances = migratedInstances(wpd);
    if (planError !== undefined) throw planError;
  } finally {
    // a failed step releases the lease at once so a re-run need not wait; a killed process leaves it to expire
    await releaseLease(t, lease, now()).catch(() => undefined);
  }
  await step({ kind: 'released', workflow_id: workflowId });
  return report;
}

/** The live-plan record for the WPD from a staged plan and the deployed functions. */
export function currentDeploymentOf(config: WorkflowConfig, staged: StagedPlan, deployed: (fn: string, region: string) => DeployedFunction): CurrentDeployment {
  const fnOf = new Map(config.instances.map((i) => [i.instance_name, i.function_name]));
  const time_keys = [...new Set(staged.time_keys.length ? staged.time_keys : Object.keys(staged.placements))].sort((a, b) => Number(a) - Number(b));
  const instances: Record<string, PlacementMap> = {};
  for (const hk of time_keys) {
    const plan = staged.placements[hk];
    if (!plan) throw new Error(`the staged plan of ${config.workflow_id} lists hour ${hk} but has no placements for it`);
    const m: PlacementMap = {};
    for (const [inst, region] of Object.entries(plan)) {
      const d = deployed(fnOf.get(inst)!, region);
      m[inst] = { region, topic: d.topic, function_name: d.physical_name };
    }
    instances[hk] = m;
  }
  return { expiry_time: staged.expiry_time, time_keys, instances };
}

/** The migrator's record of a workflow (what it applied, what is retiring), or undefined. */
export async function readMigrationRecord(cloud: Cloud, workflowId: string): Promise<MigrationRecord | undefined> {
  return readRecord(cloud, workflowId);
}

async function readRecord(cloud: Cloud, workflowId: string): Promise<MigrationRecord | undefined> {
  const raw = await cloud.tables.get(SYSTEM_REGION, MIGRATION_TABLES.migration, workflowId);
  return raw === undefined ? undefined : decodeOrThrow(MigrationRecord, raw, `${MIGRATION_TABLES.migration}[${workflowId}]`);
}

async function saveRecord(cloud: Cloud, record: MigrationRecord, now: Date): Promise<void> {
  record.updated_at = now.toISOString();
  await cloud.tables.put(SYSTEM_REGION, MIGRATION_TABLES.migration, record.workflow_id, MigrationRecord.encode(record));
}

/** Removes one retired function: topic, function, and the code copy once its region has no function left. */
async function removeDeployed(cloud: Cloud, workflowId: string, r: RetiringFunction, packageKey: string | undefined, all: DeployedFunction[]): Promise<void> {
  await cloud.messaging.deleteTopic(r.region, r.topic);
  await cloud.functions.remove(r.region, r.physical_name);
  // the log stream stays (CloudWatch keeps it too): runs that ended there may not be synced yet
  const othersThere = all.some((f) => f.region === r.region && !(f.function_name === r.function_name));
  if (!othersThere && packageKey) await cloud.packages.delete(r.region, packageKey).catch(() => undefined);
  void workflowId;
}
