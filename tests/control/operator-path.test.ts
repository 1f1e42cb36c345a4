import { strict as assert } from 'assert';
import { openCloud } from '../../src/cloud/open';
import type { StagedPlan } from '../../src/model/staging';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { loadSolveInput, solveWorkflow, type SolveInput } from '../../src/solve';
import { example } from '../local/helpers';
import { runCliCode } from '../support/cli';
import { useCaribouHome } from '../support/home';

const WF = 'small_sync_example-0.0.1';

/** Reads one item of the local cloud (each CLI command opens and closes the cloud in turn). */
async function item(home: string, table: string, key: string): Promise<unknown> {
  const cloud = await openCloud({ target: 'local', home });
  try {
    return await cloud.tables.get(SYSTEM_REGION, table, key);
  } finally {
    await cloud.close();
  }
}

describe('the operator path through the CLI: data_collect → log_sync → manage_deployments → run_deployment_migrator', function () {
  this.timeout(300_000);
  const h = useCaribouHome('caribou-operator-');

  before(async () => {
    const d = await runCliCode(['deploy', '--workflow-dir', example('small_sync_example')]);
    assert.equal(d.code, 0, d.stderr);
    // runs two hours ago on the cloud's own clock, so their log lines are past log_sync's buffer
    const cloud = await openCloud({ target: 'local', home: h.home });
    const at = new Date(cloud.now().getTime() - 2 * 3_600_000);
    await cloud.close();
    for (let i = 0; i < 10; i++) {
      const r = await runCliCode(['run', WF, '-a', JSON.stringify({ message: `m${i}`, number: i }), '--at', new Date(at.getTime() + i * 1000).toISOString(), '--wait']);
      assert.equal(r.code, 0, r.stderr);
    }
  });

  it('a plan that cannot be made exits 1 and says why (the input is at fault), staging nothing', async () => {
    assert.equal((await runCliCode(['log_sync'])).code, 0);
    const cloud = await openCloud({ target: 'local', home: h.home });
    try {
      await cloud.tables.put(SYSTEM_REGION, TABLES.availableRegions, 'zz-nowhere-1', { garbage: true });
    } finally {
      await cloud.close();
    }
    try {
      const manage = await runCliCode(['manage_deployments', '--force', '--solves-per-day', '2']);
      assert.equal(manage.code, 1, manage.stdout + manage.stderr);
      assert.match(manage.stdout, /plan failed — .*available_regions_table\[zz-nowhere-1\] is invalid/s);
      assert.equal(await item(h.home, TABLES.solverStagingArea, WF), undefined);
    } finally {
      const repaired = await openCloud({ target: 'local', home: h.home });
      try {
        await repaired.tables.delete(SYSTEM_REGION, TABLES.availableRegions, 'zz-nowhere-1');
      } finally {
        await repaired.close();
      }
    }
  });

  it('stages a plan for every hour and the migrator applies it (every step exits 0)', async () => {
    const collect = await runCliCode(['data_collect', 'all']);
    assert.equal(collect.code, 0, collect.stderr);
    const sync = await runCliCode(['log_sync']);
    assert.equal(sync.code, 0, sync.stderr);
    assert.match(sync.stdout, /summary +10 runs/);

    const manage = await runCliCode(['manage_deployments', '--force', '--solves-per-day', '24', '--json']);
    assert.equal(manage.code, 0, manage.stderr + manage.stdout);
    const m = JSON.parse(manage.stdout) as { staged: Array<{ workflow_id: string; status: string; time_keys: string[] }> };
    const mine = m.staged.find((s) => s.workflow_id === WF);
    assert.equal(mine?.status, 'staged', manage.stdout);
    assert.equal(mine.time_keys.length, 24);
    const staged = (await item(h.home, TABLES.solverStagingArea, WF)) as { time_keys: string[] } | undefined;
    assert.deepEqual(staged?.time_keys, mine.time_keys, 'the plan is in the staging table');

    const migrate = await runCliCode(['run_deployment_migrator']);
    assert.equal(migrate.code, 0, migrate.stderr);
    assert.match(migrate.stdout, new RegExp(`${WF.replace(/\./g, '\\.')}: migrated \\(placement decision switched\\)`));
    assert.equal(await item(h.home, TABLES.solverStagingArea, WF), undefined, 'applied, so no longer staged');
    const decision = JSON.stringify(await item(h.home, TABLES.workflowPlacementDecision, WF));
    for (const key of ['0', '12', '23']) assert.match(decision, new RegExp(`"${key}"`), `the placement decision carries hour ${key}`);
    // a run after the switch still succeeds
    const after = await runCliCode(['run', WF, '-a', '{"message":"after","number":1}', '--wait']);
    assert.equal(after.code, 0, after.stderr);
  });
  it('caribou solve runs the same loop: the plan solveWorkflow makes, staged only with --stage, the manager\'s bookkeeping untouched', async () => {
    const before = JSON.stringify(await item(h.home, TABLES.deploymentManagerWorkflowInfo, WF));
    const r = await runCliCode(['solve', WF, '--json', '--runs', '200', '-s', 'coarse', '--hours', '0,12', '--seed', '3']);
    assert.equal(r.code, 0, r.stderr);
    const plan = JSON.parse(r.stdout) as StagedPlan;
    const cloud = await openCloud({ target: 'local', home: h.home });
    let input: SolveInput;
    try {
      input = await loadSolveInput(cloud.tables, WF);
    } finally {
      await cloud.close();
    }
    assert.deepEqual(plan, solveWorkflow(input, { algorithm: 'coarse', hours: ['0', '12'], runs: 200, seed: 3, now: plan.solved_at }));
    assert.equal(await item(h.home, TABLES.solverStagingArea, WF), undefined, 'a preview stages nothing');
    const staged = await runCliCode(['solve', WF, '--stage', '--runs', '200', '-s', 'coarse', '--hours', '0,12', '--seed', '3']);
    assert.equal(staged.code, 0, staged.stderr);
    assert.match(staged.stdout, /staged in workflow_placement_solver_staging_area_table/);
    assert.deepEqual((await item(h.home, TABLES.solverStagingArea, WF) as StagedPlan).placements, plan.placements);
    assert.equal(JSON.stringify(await item(h.home, TABLES.deploymentManagerWorkflowInfo, WF)), before);
    const bad = await runCliCode(['solve', WF, '--hours', '25']);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /^error: --hours: "25" is not an hour key 0 to 23/);
  });
});
