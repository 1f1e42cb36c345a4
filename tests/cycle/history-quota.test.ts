/**
 * CaribouCycle inside Step Functions' 25,000-event history and 256 KiB payloads, measured by
 * the local runner's counters (src/cloud/local/history.ts) on the real definition with scripted
 * tasks: each workflow's solve is a child execution of a Distributed Map, so the cycle's own
 * history does not grow with the workflows and each solve has a history of its own.
 */
import { strict as assert } from 'node:assert';
import { HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES } from '../../src/cloud/local/history';
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

/** The cycle's history events and the largest child's (each solve is a child execution of the Distributed Map). */
async function events(workflows: number, rounds: number, batches: number): Promise<{ parent: number; child: number; children: number; payload: number }> {
  const sm = new LocalStateMachines({ tasks: tasks(workflows, rounds, batches) });
  const id = await sm.start('CaribouCycle', {});
  const r = await sm.follow(id, () => undefined);
  assert.equal(r.status, 'SUCCEEDED', r.error);
  const all = [...sm.histories()];
  const kids = all.filter(([k]) => k !== id).map(([, f]) => f);
  assert.equal(kids.length, workflows, 'one child execution per workflow due');
  return { parent: sm.history(id).events, child: Math.max(0, ...kids.map((f) => f.events)), children: kids.length, payload: Math.max(...all.map(([, f]) => f.maxPayloadBytes)) };
}

describe('cycle: history events of CaribouCycle and its solves (local runner counter)', () => {
  it('the cycle pays a constant for any number of workflows; each solve pays per round and batch in its own history', async function () {
    this.timeout(600_000);
    const one = await events(1, 2, 1);
    const five = await events(5, 2, 1);
    assert.equal(five.parent, one.parent, 'the cycle\'s history does not grow with the workflows');
    const perRound = (await events(1, 3, 1)).child - one.child;
    const perBatch = ((await events(1, 2, 2)).child - one.child) / 2; // one more batch in each of 2 rounds
    const child = (rounds: number, batches: number) => one.child + (rounds - 2) * perRound + rounds * (batches - 1) * perBatch;
    // a 24-hour stochastic solve of the 100-instance fan-out takes 189 rounds of 1–2 batches of 16
    const largest = child(189, 2);
    console.log(`      (cycle: ${one.parent} events whatever the workflows; a solve: ${one.child} for 2 rounds, +${perRound} per round, +${perBatch} per extra batch; the 100-instance solve ≈ ${largest})`);
    assert.ok(perRound > 0 && perBatch > 0);
    assert.ok(largest < HISTORY_EVENT_LIMIT / 2, `a 189-round solve would write ${largest} events`);
    assert.ok(one.parent < 100);
  });

  it('a thousand workflows due: one cycle of 1,000 child executions, every one inside both quotas', async function () {
    this.timeout(900_000);
    const r = await events(1000, 2, 1);
    assert.ok(r.parent < 100, `${r.parent} events in the cycle`);
    assert.ok(r.child < HISTORY_EVENT_LIMIT);
    assert.ok(r.payload < PAYLOAD_LIMIT_BYTES, `largest payload ${r.payload} bytes`);
    console.log(`      (1,000 workflows: cycle ${r.parent} events, largest solve ${r.child}, largest payload ${r.payload} bytes)`);
  });
});
