import type { Cloud, FunctionSpec } from '../cloud/ports';
import type { DeployedFunction, DeploymentResources } from '../model/deployment-resources';
import { UserError } from '../model/errors';
import type { Placement, WorkflowPlacementDecision } from '../model/placement';
import { physicalFunctionName } from '../model/primitives';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { WorkflowConfig } from '../model/workflow-config';
import { BUNDLE_HANDLER, bundleWorkflow } from './bundle';
import { checkIamPolicyFile } from '../cloud/aws/policy-guard';

/** What deploy needs of a loaded project (src/deploy/project.ts). */
export interface DeployableProject {
  config: WorkflowConfig;
  sourceFile: string;
  iamPolicy: unknown;
}

/** Options of deployWorkflow. */
export interface DeployOptions {
  /** let service-wide grants of the user's iam_policy through (each reported to `warn`); the boundary still caps them */
  allowServiceWideGrants?: boolean;
  warn?: (message: string) => void;
}

/** The key of a workflow's code package in package storage. */
export function packageKeyOf(workflowId: string, sha256: string): string {
  return `workflows/${workflowId}/${sha256.slice(0, 16)}.js`;
}

/** The topic of a deployed function (as Caribou: `<physical name>_messaging_topic`). */
export function topicNameOf(physicalName: string): string {
  return `${physicalName}_messaging_topic`;
}

/** The physical name of a logical function of a workflow in a region. */
export function physicalNameOf(config: WorkflowConfig, functionName: string, region: string): string {
  return physicalFunctionName(config.workflow_name, config.workflow_version, functionName, region);
}

/**
 * Deploys one function of a workflow to a region: copies the code package there (Lambda reads
 * code from its own region), creates the function, its topic, the subscription and the
 * region's join table. Idempotent. The migrator uses it to add regions.
 */
export async function deployFunctionToRegion(
  cloud: Cloud,
  config: WorkflowConfig,
  functionName: string,
  region: string,
  packageKey: string,
): Promise<DeployedFunction> {
  const fn = config.functions.find((f) => f.name === functionName);
  if (!fn) throw new UserError(`workflow ${config.workflow_id} has no function "${functionName}"`);
  const home = config.home_region.region;
  if (region !== home && (await cloud.packages.get(region, packageKey)) === undefined) {
    const code = await cloud.packages.get(home, packageKey);
    if (!code) throw new Error(`code package ${packageKey} of ${config.workflow_id} is missing in its home region ${home}`);
    await cloud.packages.put(region, packageKey, code);
  }
  await cloud.tables.ensureTable(region, TABLES.syncMessages);
  const physical = physicalNameOf(config, functionName, region);
  const environment: Record<string, string> = {};
  for (const v of config.environment_variables ?? []) environment[v.key] = v.value;
  Object.assign(environment, fn.environment);
  const spec: FunctionSpec = {
    name: physical,
    region,
    packageKey,
    handler: BUNDLE_HANDLER,
    memory: fn.memory,
    timeout: fn.timeout,
    architecture: fn.architecture,
    environment,
    policy: await policyOf(cloud, config.workflow_id),
  };
  // a failure part-way removes this function's own pieces, so callers only track whole ones
  const existed = await cloud.functions.isLive(region, physical);
  let topic: string | undefined;
  try {
    await cloud.functions.deploy(spec);
    topic = await cloud.messaging.createTopic(region, topicNameOf(physical));
    await cloud.messaging.subscribe(region, topic, physical);
  } catch (err) {
    if (!existed) {
      if (topic) await cloud.messaging.deleteTopic(region, topic).catch(() => undefined);
      await cloud.functions.remove(region, physical).catch(() => undefined);
    }
    throw err;
  }
  return { function_name: functionName, region, physical_name: physical, topic };
}

/** The IAM policy recorded for a workflow (AWS only needs it; absent before the first deploy writes it). */
async function policyOf(cloud: Cloud, workflowId: string): Promise<unknown> {
  const r = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId)) as DeploymentResources | undefined;
  return r?.iam_policy;
}

/**
 * Deploys a workflow to its home region and returns its id. Order matters: build first, then
 * the resources, then deployment_resources and the placement decision, and LAST the workflow
 * config in deployment_manager_resource_table, which is what marks the workflow deployed
 * (Caribou registered it first, so a failed deploy left it half-registered). On any failure
 * everything created is removed again.
 */
export async function deployWorkflow(cloud: Cloud, project: DeployableProject, opts: DeployOptions = {}): Promise<string> {
  const config = project.config;
  const id = config.workflow_id;
  // before anything exists: a service-wide grant or one on Caribou's own resources is refused, statement named
  for (const f of checkIamPolicyFile(project.iamPolicy, `the iam_policy of workflow ${id}`, { allowServiceWide: opts.allowServiceWideGrants })) {
    opts.warn?.(`WARNING: --allow-service-wide-grants: the iam_policy of workflow ${id} ${f.statement} ${f.reason}`);
  }
  if (
    (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerResource, id)) !== undefined ||
    (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) !== undefined
  )
    throw new UserError(`workflow ${id} is already deployed; remove it first (caribou remove ${id}) or raise workflow_version in .caribou/config.yml`);

  const bundle = await bundleWorkflow(project);
  const home = config.home_region.region;
  const packageKey = packageKeyOf(id, bundle.sha256);
  const created: DeployedFunction[] = [];
  try {
    await cloud.packages.put(home, packageKey, bundle.code);
    // the policy goes in first so that deployFunctionToRegion finds it; the record is completed below
    await cloud.tables.put(SYSTEM_REGION, TABLES.deploymentResources, id, resources(id, [], packageKey, project.iamPolicy, cloud.now()));
    for (const fn of config.functions) created.push(await deployFunctionToRegion(cloud, config, fn.name, home, packageKey));
    await cloud.tables.put(SYSTEM_REGION, TABLES.deploymentResources, id, resources(id, created, packageKey, project.iamPolicy, cloud.now()));
    await cloud.tables.put(SYSTEM_REGION, TABLES.workflowPlacementDecision, id, homePlacementDecision(config, created, cloud.now()));
    if (!(await cloud.tables.put(SYSTEM_REGION, TABLES.deploymentManagerResource, id, config, { ifAbsent: true })))
      throw new UserError(`workflow ${id} was deployed by someone else meanwhile`);
    return id;
  } catch (err) {
    await teardown(cloud, id, created, [home]).catch(() => undefined);
    await cloud.tables.delete(SYSTEM_REGION, TABLES.workflowPlacementDecision, id).catch(() => undefined);
    await cloud.tables.delete(SYSTEM_REGION, TABLES.deploymentResources, id).catch(() => undefined);
    throw err;
  }
}

function resources(id: string, functions: DeployedFunction[], packageKey: string, iamPolicy: unknown, now: Date): DeploymentResources {
  return { workflow_id: id, functions, updated_at: now.toISOString(), package_key: packageKey, iam_policy: iamPolicy };
}

/** The placement decision of a fresh deployment: every instance at home, no current plan. */
export function homePlacementDecision(config: WorkflowConfig, deployed: DeployedFunction[], now: Date): WorkflowPlacementDecision {
  const home = config.home_region.region;
  const home_deployment: Record<string, Placement> = {};
  for (const inst of config.instances) {
    const d = deployed.find((f) => f.function_name === inst.function_name && f.region === home);
    if (!d) throw new Error(`instance ${inst.instance_name} runs ${inst.function_name}, which was not deployed to ${home}`);
    home_deployment[inst.instance_name] = { region: home, topic: d.topic, function_name: d.physical_name };
  }
  const entry = config.instances.find((i) => i.entry_point);
  if (!entry) throw new UserError(`workflow ${config.workflow_id} has no entry point`);
  return { workflow_id: config.workflow_id, entry_instance: entry.instance_name, home_deployment, current_deployment: null, updated_at: now.toISOString() };
}

/**
 * Deletes functions, topics, code packages and spilled payloads. Log streams stay (on AWS
 * the log groups keep a retention) so that the log syncer can still read the last runs.
 */
async function teardown(cloud: Cloud, id: string, functions: DeployedFunction[], regions: string[]): Promise<void> {
  const errors: string[] = [];
  for (const f of functions) {
    try {
      await cloud.messaging.deleteTopic(f.region, f.topic);
      await cloud.functions.remove(f.region, f.physical_name);
    } catch (err) {
      errors.push(`${f.physical_name}: ${(err as Error).message}`);
    }
  }
  for (const region of new Set([...regions, ...functions.map((f) => f.region)])) {
    for (const key of await cloud.packages.list(region, `workflows/${id}/`)) await cloud.packages.delete(region, key);
    for (const key of await cloud.packages.list(region, `payloads/${id}/`)) await cloud.packages.delete(region, key);
  }
  if (errors.length) throw new Error(`some resources could not be removed:\n  ${errors.join('\n  ')}`);
}

/**
 * Removes a workflow and everything deploy and migrations created for it: functions, topics,
 * code packages, spilled payloads, and its records in every system table, the registration
 * (deployment_manager_resource_table) last. The per-region join tables are shared by all
 * workflows and stay (on AWS their items expire by TTL); so do log streams, for the log syncer.
 */
export async function removeWorkflow(cloud: Cloud, workflowId: string): Promise<void> {
  const t = cloud.tables;
  const registered = await t.get(SYSTEM_REGION, TABLES.deploymentManagerResource, workflowId);
  const res = (await t.get(SYSTEM_REGION, TABLES.deploymentResources, workflowId)) as DeploymentResources | undefined;
  if (registered === undefined && res === undefined) throw new UserError(`no workflow ${workflowId} is deployed (see caribou list)`);
  const config = registered as WorkflowConfig | undefined;
  const regions = config ? [config.home_region.region] : [];
  await teardown(cloud, workflowId, res?.functions ?? [], regions);
  for (const table of [
    TABLES.workflowPlacementDecision,
    TABLES.deploymentManagerWorkflowInfo,
    TABLES.solverStagingArea,
    TABLES.workflowInstance,
    TABLES.workflowSummary,
    TABLES.deploymentResources,
  ])
    await t.delete(SYSTEM_REGION, table, workflowId);
  await t.delete(SYSTEM_REGION, TABLES.deploymentManagerResource, workflowId);
}

/** Ids of the deployed workflows, sorted (every scan page). */
export async function listWorkflows(cloud: Cloud): Promise<string[]> {
  return cloud.tables.keys(SYSTEM_REGION, TABLES.deploymentManagerResource);
}
