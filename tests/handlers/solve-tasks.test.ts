import { strict as assert } from 'assert';
import { collectCarbonTask, collectPerformanceTask, collectProviderTask, decideTask, solveIdOf } from '../../src/handlers/control';
import { removeAbandonedSolves, solveEvaluate, solvePrepare, solvePrefix, solveSelect, solveStage, writeTicket } from '../../src/handlers/solve';
import { taskHandlers, TASK_NAMES } from '../../src/handlers/tasks';
import { DecodeError } from '../../src/model/decode';
import type { DeploymentDecision } from '../../src/model/deployment-manager';
import { StagedPlan } from '../../src/model/staging';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { loadSolveInput, solveWorkflow } from '../../src/solve';
import { DAY, dispose, freshDeployment } from '../migrate/helpers';

describe('handlers: the Solve tasks are thin shells over the solver round API', function () {
  this.timeout(120_000);
  let c: Awaited<ReturnType<typeof freshDeployment>>;

  before(async () => {
    c = await freshDeployment();
    await collectProviderTask(c.cloud);
    await collectCarbonTask(c.cloud);
    await collectPerformanceTask(c.cloud);
  });
  after(async () => {
    if (c) await dispose(c);
  });

  const decision = (): DeploymentDecision => ({
    workflow_id: c.id,
    action: 'solve',
    reason: 'test',
    decided_at: DAY.toISOString(),
    invocations: 100,
    tokens: 10,
    budget: 10,
    algorithm: 'stochastic',
    solves_per_day: 3,
    solve_hours: ['0', '8', '16'],
    leftover_tokens: 5,
    expiry_delta_s: 93600,
  });

  /** Runs Prepare → (EvaluateBatch* → Select)* → Stage like the state machine does; returns the staged plan. */
  async function runTasks(solveId: string, opts: { dropResult?: boolean; retrySelect?: boolean } = {}) {
    await writeTicket(c.cloud, solveId, { decision: decision(), tuning: { seed: 11, runs: 200 } });
    let round = await solvePrepare(c.cloud, { workflow_id: c.id, solve_id: solveId });
    let rounds = 0;
    let maxPayload = 0;
    while (!round.done) {
      maxPayload = Math.max(maxPayload, JSON.stringify(round).length);
      const evaluated = [];
      for (const b of round.batches) evaluated.push(await solveEvaluate(c.cloud, b));
      if (opts.dropResult && rounds === 0) {
        // as if one Map iteration had failed: its scores never reached storage
        await c.cloud.packages.delete(SYSTEM_REGION, `${solvePrefix(solveId)}round-${round.round}/result-0.json`);
        evaluated[0] = { ok: false, batch: 0 };
      }
      const next = await solveSelect(c.cloud, { ...round, evaluated });
      // Step Functions may retry a Select whose response was lost: it must give the same answer
      if (opts.retrySelect) assert.deepEqual(await solveSelect(c.cloud, { ...round, evaluated }), next);
      round = next;
      rounds++;
    }
    const staged = await solveStage(c.cloud, round);
    const plan = StagedPlan.decode(await c.cloud.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, c.id));
    assert.equal(plan._tag, 'Right');
    return { staged, plan: (plan as { right: StagedPlan }).right, rounds, maxPayload };
  }

  it('stages the same plan as solveWorkflow with the same options, and commits the bookkeeping', async () => {
    const { plan, rounds, maxPayload, staged } = await runTasks(solveIdOf(c.id, DAY));
    assert.ok(rounds >= 1);
    assert.ok(maxPayload < 16 * 1024, `a round's state payload is ${maxPayload} bytes`);
    assert.equal(staged.status, 'staged');
    const input = await loadSolveInput(c.cloud.tables, c.id);
    const direct = solveWorkflow(input, { algorithm: 'stochastic', hours: ['0', '8', '16'], seed: 11, runs: 200, now: plan.solved_at, expirySeconds: 93600 });
    assert.deepEqual(plan.placements, direct.placements);
    assert.equal(plan.expiry_time, direct.expiry_time);
    const info = (await c.cloud.tables.get(SYSTEM_REGION, TABLES.deploymentManagerWorkflowInfo, c.id)) as { last_solved?: string; tokens_left: number };
    assert.ok(info.last_solved, 'last_solved recorded after staging');
    assert.equal(info.tokens_left, 5);
    assert.deepEqual(await c.cloud.packages.list(SYSTEM_REGION, 'solves/'), [], 'solve objects are cleaned up');
  });

  it('a batch whose Map iteration failed is re-scored by Select: same plan', async () => {
    const a = await runTasks(solveIdOf(c.id, new Date(DAY.getTime() + 1000)));
    const b = await runTasks(solveIdOf(c.id, new Date(DAY.getTime() + 2000)), { dropResult: true });
    assert.deepEqual(b.plan.placements, a.plan.placements);
  });

  it('a Select retried after it succeeded answers the same, and the plan is unchanged', async () => {
    const a = await runTasks(solveIdOf(c.id, new Date(DAY.getTime() + 3000)));
    const b = await runTasks(solveIdOf(c.id, new Date(DAY.getTime() + 4000)), { retrySelect: true });
    assert.deepEqual(b.plan.placements, a.plan.placements);
    assert.deepEqual(await c.cloud.packages.list(SYSTEM_REGION, 'solves/'), [], 'solve objects are cleaned up');
  });

  it('the objects of a solve that failed a day ago are removed; a younger one is left to its cycle', async () => {
    const old = solveIdOf(c.id, new Date(c.cloud.now().getTime() - 2 * 86_400_000));
    const young = solveIdOf(c.id, new Date(c.cloud.now().getTime() - 3_600_000));
    for (const id of [old, young]) await writeTicket(c.cloud, id, { decision: decision(), tuning: {} });
    assert.deepEqual(await removeAbandonedSolves(c.cloud, c.id, c.cloud.now()), [old]);
    assert.deepEqual(await c.cloud.packages.list(SYSTEM_REGION, solvePrefix(old)), []);
    assert.equal((await c.cloud.packages.list(SYSTEM_REGION, solvePrefix(young))).length, 1);
    await removeAbandonedSolves(c.cloud, c.id, new Date(c.cloud.now().getTime() + 2 * 86_400_000));
  });

  it('rejects malformed input with the path of each problem', async () => {
    await assert.rejects(solveEvaluate(c.cloud, { solve_id: 'x' }), (e: unknown) => e instanceof DecodeError && /round/.test(e.message) && /workflow_id/.test(e.message));
    await assert.rejects(solvePrepare(c.cloud, { workflow_id: 'not an id', solve_id: 's' }), DecodeError);
    await assert.rejects(solvePrepare(c.cloud, { workflow_id: c.id, solve_id: 'never-decided' }), /missing/);
  });

  it('Decide explains a skip in words and hands nothing to Solve', async () => {
    const r = await decideTask(c.cloud, { force: true });
    assert.deepEqual(r.due, []);
    assert.equal(r.decisions.length, 1);
    assert.match(r.decisions[0].reason, /invocations/);
  });

  it('the registry binds every task name the state machine uses', () => {
    const h = taskHandlers(c.cloud);
    assert.deepEqual(Object.keys(h).sort(), [...TASK_NAMES].sort());
  });
});
