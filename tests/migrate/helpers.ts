import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { decodeOrThrow } from '../../src/model/decode';
import { WorkflowPlacementDecision, routeForRun } from '../../src/model/placement';
import type { StagedPlan } from '../../src/model/staging';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { WorkflowConfig } from '../../src/model/workflow-config';

export const DAY = new Date('2026-06-10T00:00:00Z');
const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** A fresh local cloud (tables in memory) with one example deployed at home. */
export async function freshDeployment(example = 'small_sync_example'): Promise<{ cloud: LocalCloud; id: string; config: WorkflowConfig; dir: string }> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-cp-'));
  const cloud = await openLocalCloud({ home: dir, start: DAY, inMemory: true });
  const project = await loadWorkflowProject(path.join(EXAMPLES, example));
  const id = await deployWorkflow(cloud, project);
  return { cloud, id, config: project.config, dir };
}

/** Closes the cloud and removes its folder. */
export async function dispose(c: { cloud: LocalCloud; dir: string }): Promise<void> {
  await c.cloud.close();
  fs.rmSync(c.dir, { recursive: true, force: true });
}

const M = { cost: { mean: 1, tail: 1 }, runtime: { mean: 1, tail: 1 }, carbon: { mean: 1, tail: 1 } };

/** A hand-made staged plan: every instance in `regionFor(hour)`, for the given hour keys. */
export function planOf(config: WorkflowConfig, at: Date, hours: string[], regionFor: (hour: string, instance: string) => string): StagedPlan {
  const placements: StagedPlan['placements'] = {};
  const metrics: StagedPlan['metrics'] = {};
  for (const h of hours) {
    placements[h] = Object.fromEntries(config.instances.map((i) => [i.instance_name, regionFor(h, i.instance_name)]));
    metrics[h] = { chosen: M, home: M };
  }
  return {
    workflow_id: config.workflow_id,
    solved_at: at.toISOString(),
    expiry_time: new Date(at.getTime() + 2 * 86400000).toISOString(),
    algorithm: 'coarse',
    time_keys: hours,
    placements,
    metrics,
    fallbacks: [],
    evaluations: 0,
  };
}

export async function stage(cloud: LocalCloud, plan: StagedPlan): Promise<void> {
  await cloud.tables.put(SYSTEM_REGION, TABLES.solverStagingArea, plan.workflow_id, plan);
}

export async function readWpd(cloud: LocalCloud, id: string): Promise<WorkflowPlacementDecision> {
  return decodeOrThrow(WorkflowPlacementDecision, await cloud.tables.get(SYSTEM_REGION, TABLES.workflowPlacementDecision, id), 'wpd');
}

/** Every (region, physical function) the decision can route to (home and each hour of the plan). */
export function routedFunctions(wpd: WorkflowPlacementDecision): Array<{ region: string; fn: string; topic: string }> {
  const out = new Map<string, { region: string; fn: string; topic: string }>();
  const add = (m: Record<string, { region: string; function_name: string; topic: string }>) => {
    for (const p of Object.values(m)) out.set(`${p.region}/${p.function_name}`, { region: p.region, fn: p.function_name, topic: p.topic });
  };
  add(wpd.home_deployment);
  for (const m of Object.values(wpd.current_deployment?.instances ?? {})) add(m);
  return [...out.values()];
}

/** Asserts that everything the decision routes to exists: function live, topic present. */
export async function assertRoutable(cloud: LocalCloud, wpd: WorkflowPlacementDecision, when: string): Promise<void> {
  for (const f of routedFunctions(wpd)) {
    assert.ok(await cloud.functions.isLive(f.region, f.fn), `${when}: the decision routes to ${f.fn} in ${f.region}, which is not live`);
    assert.ok((await cloud.messaging.listTopics(f.region)).includes(f.topic), `${when}: the topic of ${f.fn} in ${f.region} does not exist`);
  }
}

/** Runs the workflow `n` times from `at`; every run must succeed where its route says. */
export async function runAndCheck(cloud: LocalCloud, id: string, n: number, at: Date, when: string): Promise<string[]> {
  const wpd = await readWpd(cloud, id);
  const results = await runMany(cloud, id, Array.from({ length: n }, (_, i) => ({ message: `m${i}`, number: i })), { at, spacingS: 600 });
  const regions: string[] = [];
  results.forEach((r, i) => {
    assert.equal(r.status, 'succeeded', `${when}: run ${i} ${r.status}: ${(r.errors ?? []).join('; ')}`);
    const route = routeForRun(wpd, new Date(at.getTime() + i * 600_000));
    for (const inst of r.instances) {
      assert.equal(inst.region, route.placements[inst.instance]?.region, `${when}: ${inst.instance} ran in ${inst.region}, the decision says ${route.placements[inst.instance]?.region}`);
      regions.push(inst.region);
    }
  });
  return regions;
}
