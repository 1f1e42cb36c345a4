/**
 * caribou-ts/testing: run a workflow inside a test (mocha, vitest, …) on the real local cloud
 * (in memory, in a temporary folder), with the placements, duplicate deliveries and region
 * outages you choose, and assert on its outputs and its DAG — as Temporal's
 * TestWorkflowEnvironment serves its users.
 *
 *   const env = await TestWorkflowEnvironment.create({ workflowDir: 'hello_flow', placements: { world: 'eu-west-1' } });
 *   const run = await env.run({ name: 'you' });
 *   assert.equal(run.status, 'succeeded');
 *   assert.deepEqual(run.outputs.world, [{ words: 2 }]);
 *   await env.close();
 */
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { RESULT_OBSERVER, type HandlerResult } from '../../sdk';
import { openLocalCloud, type LocalCloud } from '../cloud/local';
import { deployFunctionToRegion, deployWorkflow } from '../deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../deploy/project';
import { runWorkflow, type RunResult } from '../deploy/run';
import { assertTypeChecks } from '../deploy/typecheck';
import { decodeOrThrow } from '../model/decode';
import { DeploymentResources } from '../model/deployment-resources';
import { UserError } from '../model/errors';
import type { Placement, WorkflowPlacementDecision } from '../model/placement';
import { SYSTEM_REGION, TABLES } from '../model/tables';

export interface TestEnvironmentOptions {
  /** the workflow directory (app.ts and .caribou/) */
  workflowDir: string;
  /** function name → region: those functions are deployed there and every run is routed to them */
  placements?: Record<string, string>;
  /** probability (0–1) that each message is delivered twice; the runtime must run each instance once */
  duplicates?: number;
  /** deliver pending messages in random order */
  reorder?: boolean;
  /** regions whose topics cannot be reached (runs fall back to home where the runtime can) */
  outage?: string[];
  /** seed of the cloud's randomness (latency, duplicates, order): same seed, same runs */
  seed?: number;
  /** virtual time the cloud starts at; default 2026-01-01T12:00:00Z, so tests do not depend on the calendar */
  start?: Date;
  /** type-check the workflow first, as deploy does (default true) */
  typecheck?: boolean;
}

/** One instance of the DAG deploy reads from the source. */
export interface DagInstance {
  instance: string;
  function: string;
  entry_point: boolean;
  /** successor instances, one per call site, in site order */
  successors: string[];
  /** joins: the call sites it waits for */
  join_slots?: string[];
}

/** What a test run did. */
export interface TestRun {
  run_id: string;
  status: RunResult['status'];
  /** the instances that ran, where and when (virtual time) */
  instances: Array<{ instance: string; region: string; start: string; end: string | null }>;
  /** DAG instances that did not run (a conditional call not made, a failed predecessor) */
  skipped: string[];
  /** function name → the values its handler returned in this run, one per instance that ran (instance order) */
  outputs: Record<string, unknown[]>;
  /** instance name → the value its handler returned */
  outputsByInstance: Record<string, unknown>;
  errors: string[];
}

const results = new Map<string, HandlerResult[]>();
function listen(): void {
  (globalThis as Record<symbol, unknown>)[RESULT_OBSERVER] = (r: HandlerResult) => {
    const list = results.get(r.run_id) ?? [];
    list.push(r);
    results.set(r.run_id, list);
  };
}

export class TestWorkflowEnvironment {
  private constructor(
    readonly project: WorkflowProject,
    readonly cloud: LocalCloud,
    readonly workflowId: string,
    private readonly home: string,
  ) {}

  /** Loads, (type-checks,) deploys the workflow to a fresh in-memory local cloud and applies the placements. */
  static async create(opts: TestEnvironmentOptions): Promise<TestWorkflowEnvironment> {
    const project = await loadWorkflowProject(opts.workflowDir);
    if (opts.typecheck !== false) assertTypeChecks(project.sourceFile, 'nothing was run');
    const home = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-testing-'));
    const cloud = await openLocalCloud({
      home,
      inMemory: true,
      start: opts.start ?? new Date('2026-01-01T12:00:00Z'),
      knobs: { duplicates: opts.duplicates ?? 0, reorder: opts.reorder ?? false, outage: opts.outage ?? [], seed: opts.seed ?? 1, concurrency: 1 },
    });
    try {
      const id = await deployWorkflow(cloud, project);
      if (opts.placements && Object.keys(opts.placements).length > 0) await place(cloud, project, opts.placements);
      listen();
      return new TestWorkflowEnvironment(project, cloud, id, home);
    } catch (err) {
      await cloud.close();
      await fs.rm(home, { recursive: true, force: true });
      throw err;
    }
  }

  /** The DAG deploy read from the source, in topological order. */
  get dag(): DagInstance[] {
    return this.project.config.instances.map((i) => ({
      instance: i.instance_name,
      function: i.function_name,
      entry_point: !!i.entry_point,
      successors: i.call_sites.map((s) => s.successor),
      ...(i.join_slots ? { join_slots: [...i.join_slots] } : {}),
    }));
  }

  /** Runs the workflow once with `payload` and returns when the run is over (virtual time; nothing sleeps). */
  async run(payload: unknown = null, opts: { at?: Date } = {}): Promise<TestRun> {
    const r = await runWorkflow(this.cloud, this.workflowId, payload, { wait: true, at: opts.at });
    const ran = new Set(r.instances.map((i) => i.instance));
    const returned = results.get(r.run_id) ?? [];
    results.delete(r.run_id);
    const order = this.project.config.instances.map((i) => i.instance_name);
    returned.sort((a, b) => order.indexOf(a.instance) - order.indexOf(b.instance));
    const outputs: Record<string, unknown[]> = {};
    const outputsByInstance: Record<string, unknown> = {};
    for (const x of returned) {
      (outputs[x.function] ??= []).push(x.result);
      outputsByInstance[x.instance] = x.result;
    }
    return {
      run_id: r.run_id,
      status: r.status,
      instances: r.instances.map(({ instance, region, start, end }) => ({ instance, region, start, end })),
      skipped: order.filter((i) => !ran.has(i)),
      outputs,
      outputsByInstance,
      errors: r.errors ?? [],
    };
  }

  /** Closes the cloud and deletes its temporary folder. */
  async close(): Promise<void> {
    await this.cloud.close();
    await fs.rm(this.home, { recursive: true, force: true });
  }
}

/** Deploys the chosen functions to their regions and routes every run there (a plan that never expires). */
async function place(cloud: LocalCloud, project: WorkflowProject, placements: Record<string, string>): Promise<void> {
  const config = project.config;
  const id = config.workflow_id;
  const res = decodeOrThrow(DeploymentResources, await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id), 'deployment resources');
  const wpd = (await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id)) as WorkflowPlacementDecision;
  const plan: Record<string, Placement> = {};
  for (const [fn, region] of Object.entries(placements)) {
    if (!config.functions.some((f) => f.name === fn))
      throw new UserError(`placements names "${fn}", which is not a function of ${id}; its functions are ${config.functions.map((f) => f.name).join(', ')}`);
    const deployed = await deployFunctionToRegion(cloud, config, fn, region, res.package_key!);
    res.functions.push(deployed);
    for (const inst of config.instances.filter((i) => i.function_name === fn))
      plan[inst.instance_name] = { region, topic: deployed.topic, function_name: deployed.physical_name };
  }
  await cloud.tables.put(SYSTEM_REGION, TABLES.deploymentResources, id, res);
  const expiry = new Date(cloud.now().getTime() + 10 * 365 * 86400_000).toISOString();
  await cloud.tables.put(SYSTEM_REGION, TABLES.workflowPlacementDecision, id, {
    ...wpd,
    current_deployment: { expiry_time: expiry, time_keys: ['0'], instances: { '0': plan } },
  } satisfies WorkflowPlacementDecision);
}
