/**
 * How many workflows one CaribouCycle execution can solve inside Step Functions' 25,000-event
 * history, measured by the local runner's counter (src/cloud/local/history.ts) on the real
 * definition with scripted tasks: the history grows linearly in workflows × rounds × batches,
 * and the figures below are what docs/aws.md quotes.
 */
import { strict as assert } from 'node:assert';
import { HISTORY_EVENT_LIMIT } from '../../src/cloud/local/history';
import { LocalStateMachines } from '../../src/cloud/local/state-machines';

/** Scripted tasks: `workflows` due, each solving in `rounds` rounds of `batches` batches. */
function tasks(workflows: number, rounds: number, batches: number) {
  const round = (wf: string, r: number) => ({
    workflow_id: wf,
    solve_id: `${wf}@x`,
    round: r,
    done: r > rounds,
    batches: r > rounds ? [] : Array.from({ length: batches }, (_, b) => ({ workflow_id: wf, solve_id: `${wf}@x`, round: r, batch: b })),
    candidates: 16,
    evaluations: r * 16,
  });
  const ok = async (x: unknown) => x;
  return {
    collectProvider: () => ok({ collector: 'provider', ok: true }),
    collectCarbon: () => ok({ collector: 'carbon', ok: true }),
    collectPerformance: () => ok({ collector: 'performance', ok: true }),
    syncLogs: () => ok({ workflows: [] }),
    decide: () => ok({ due: Array.from({ length: workflows }, (_, k) => ({ workflow_id: `w${k}-1`, solve_id: `w${k}-1@x` })), decisions: [] }),
    solvePrepare: (i: any) => ok(round(i.workflow_id, 1)),
    solveEvaluate: (i: any) => ok({ ok: true, batch: i.batch, items: 16 }),
    solveSelect: (i: any) => ok(round(i.workflow_id, i.round + 1)),
    solveStage: (i: any) => ok({ workflow_id: i.workflow_id, status: 'staged' }),
    migrate: () => ok({ workflows: [] }),
  };
}

async function events(workflows: number, rounds: number, batches: number): Promise<number> {
  const sm = new LocalStateMachines({ tasks: tasks(workflows, rounds, batches) });
  const id = await sm.start('CaribouCycle', {});
  const r = await sm.follow(id, () => undefined);
  assert.equal(r.status, 'SUCCEEDED', r.error);
  return sm.history(id).events;
}

describe('cycle: history events of one CaribouCycle execution (local runner counter)', () => {
  it('grow by a fixed amount per workflow, per round and per batch; a few dozen workflows exhaust the 25,000-event quota', async function () {
    this.timeout(600_000);
    const base = await events(0, 1, 1);
    const w1 = (await events(1, 2, 1)) - base;
    const w2 = (await events(2, 2, 1)) - base;
    assert.equal(w2, 2 * w1, 'linear in workflows');
    const perRound = (await events(1, 3, 1)) - base - w1;
    const perBatch = (await events(1, 2, 2)) - base - w1; // one more batch in each of 2 rounds
    const batchEvents = perBatch / 2;
    const perWorkflow = (rounds: number, batches: number) => w1 + (rounds - 2) * perRound + rounds * (batches - 1) * batchEvents;
    // a 24-hour stochastic solve of the 5-instance reference chain: 3,162 evaluations in 407
    // simulations over about 30 rounds of 1–2 batches of 16; of a 100-instance fan-out: 189 rounds
    const chainWorkflows = Math.floor((HISTORY_EVENT_LIMIT - base) / perWorkflow(30, 1));
    const fanoutWorkflows = Math.floor((HISTORY_EVENT_LIMIT - base) / perWorkflow(189, 1));
    console.log(
      `      (inline design: ${base} events with nothing due; per workflow ${w1} for 2 rounds, +${perRound} per round, +${batchEvents} per extra batch in a round; ` +
        `the quota holds ${chainWorkflows} reference-chain solves or ${fanoutWorkflows} 100-instance solves per cycle)`,
    );
    assert.ok(chainWorkflows < 1000, 'one execution cannot hold a thousand solves');
    assert.ok(perRound > 0 && batchEvents > 0);
  });
});
