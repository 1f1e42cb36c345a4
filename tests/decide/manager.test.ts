import { strict as assert } from 'assert';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { manageDeployments, recordSolved } from '../../src/decide';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';

const NOW = new Date('2026-11-22T01:00:00Z');
const ID = 'wf-0.0.1';

async function tables(invocations: number) {
  const t = new MemoryKeyValueStore();
  for (const name of Object.values(TABLES)) await t.ensureTable(SYSTEM_REGION, name);
  await t.put(SYSTEM_REGION, TABLES.deploymentManagerResource, ID, {
    workflow_id: ID,
    workflow_name: 'wf',
    workflow_version: '0.0.1',
    home_region: { provider: 'aws', region: 'us-east-1' },
    instances: [{ instance_name: 'wf-0_0_1-a:entry_point:0', function_name: 'a', succeeding_instances: [], preceding_instances: [], call_sites: [], entry_point: true }],
    functions: [{ name: 'a', entry_point: true, is_join: false, memory: 128, timeout: 60, architecture: 'x86_64', environment: {} }],
    deployment_algorithm: 'coarse',
  });
  await t.put(SYSTEM_REGION, TABLES.workflowInstance, ID, {
    workflow_id: ID,
    collected_at: NOW.toISOString(),
    workflow_runtime_samples: [3, 3],
    daily_invocation_counts: { '2026-11-21': invocations },
    daily_failure_counts: {},
    start_hop_summary: { invoked: invocations, wpd_size_gb: 0, transfer_sizes_gb: [], latencies_s: {} },
    instance_summary: {},
  });
  for (const [r, ci] of [
    ['us-east-1', 400],
    ['ca-central-1', 30],
    ['us-west-2', 250],
  ] as const) {
    await t.put(SYSTEM_REGION, TABLES.availableRegions, r, { provider: 'aws', code: r, name: r, latitude: 0, longitude: 0, grid_zone: 'X' });
    await t.put(SYSTEM_REGION, TABLES.carbonRegion, r, {
      region: r,
      averages: { overall: { carbon_intensity: ci } },
      units: 'gCO2eq/kWh',
      transmission_distances: { 'us-east-1': 0, 'ca-central-1': 800, 'us-west-2': 3800 },
      transmission_distances_unit: 'km',
      for_date: '2026-11-21',
      source: 'test',
      filled: [],
    });
  }
  return t;
}

describe('decide: the manager over the tables', () => {
  it('a due workflow is handed to the solver and its bookkeeping is written only once staged', async () => {
    const t = await tables(500);
    const [d] = await manageDeployments(t, { now: NOW });
    assert.equal(d.action, 'solve', d.reason);
    assert.equal(await t.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, ID), undefined, 'nothing written before the plan is staged');
    const info = await recordSolved(t, d, NOW);
    assert.equal(info.last_solved, NOW.toISOString());
    // the next pass is not due yet; a forced one counts only invocations after the solve
    const [again] = await manageDeployments(t, { now: new Date(NOW.getTime() + 3600_000) });
    assert.equal(again.action, 'skip');
    assert.match(again.reason, /not due/);
    const [forced] = await manageDeployments(t, { now: new Date(NOW.getTime() + 3600_000), force: true });
    assert.equal(forced.action, 'skip');
    const kept = (await t.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, ID)) as { last_solved?: string; tokens_left: number };
    assert.equal(kept.last_solved, NOW.toISOString(), 'a skip keeps last_solved');
    assert.equal(kept.tokens_left, info.tokens_left, 'a skip keeps tokens_left');
  });

  it('below 10 invocations nothing is solved, and the skip is recorded', async () => {
    const t = await tables(9);
    const [d] = await manageDeployments(t, { now: NOW });
    assert.equal(d.action, 'skip');
    const info = (await t.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, ID)) as { next_check: string; last_decision: { action: string } };
    assert.equal(info.last_decision.action, 'skip');
  });

  it('one workflow with a malformed record is skipped with the reason; the others are still decided', async () => {
    const t = await tables(500);
    const bad = 'broken-0.0.1';
    const good = (await t.get(SYSTEM_REGION, TABLES.deploymentManagerResource, ID)) as Record<string, unknown>;
    await t.put(SYSTEM_REGION, TABLES.deploymentManagerResource, bad, { ...good, workflow_id: bad, workflow_name: 'broken' });
    await t.put(SYSTEM_REGION, TABLES.workflowInstance, bad, { workflow_id: bad, instance_summary: 'not a record' });
    const decisions = await manageDeployments(t, { now: NOW });
    const byId = new Map(decisions.map((d) => [d.workflow_id, d]));
    assert.equal(byId.get(ID)?.action, 'solve');
    assert.equal(byId.get(bad)?.action, 'skip');
    assert.match(byId.get(bad)!.reason, /^could not decide: workflow_instance_table\[broken-0.0.1\] is invalid/);
    assert.equal(await t.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, bad), undefined, 'its bookkeeping is untouched');
  });
});
