import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import type { ExecutionEvent } from '../../src/cloud/ports';
import { LocalStateMachines, allStates, taskOfResource } from '../../src/cloud/local/state-machines';
import { TASK_NAMES } from '../../src/handlers/tasks';
import { FINAL_TASK_ERRORS } from '../../src/model/errors';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const aslValidator = require('asl-validator') as (def: unknown) => { isValid: boolean; errors: unknown[] };
const FILE = path.join(__dirname, '..', '..', 'state-machines', 'caribou-cycle.asl.json');
const def = JSON.parse(fs.readFileSync(FILE, 'utf8'));

/** Stub tasks: a scripted cycle with two workflows due, the second of which fails to solve. */
function stubTasks(opts: { failCarbon?: boolean; failSolveOf?: string; rounds?: number; calls?: string[] } = {}) {
  const calls = opts.calls ?? [];
  const rounds = opts.rounds ?? 3;
  let carbonAttempts = 0;
  const round = (wf: string, r: number) => ({
    workflow_id: wf,
    solve_id: `${wf}@x`,
    round: r,
    done: r > rounds,
    batches: r > rounds ? [] : [0, 1, 2].map((b) => ({ workflow_id: wf, solve_id: `${wf}@x`, round: r, batch: b })),
    candidates: 6,
    evaluations: r * 6,
  });
  const rec = (name: string, fn: (i: any) => unknown) => async (i: any) => {
    calls.push(name);
    return fn(i);
  };
  return {
    collectProvider: rec('collectProvider', () => ({ collector: 'provider', ok: true })),
    collectCarbon: rec('collectCarbon', () => {
      carbonAttempts++;
      if (opts.failCarbon || carbonAttempts === 1) throw new Error('carbon source down');
      return { collector: 'carbon', ok: true };
    }),
    collectPerformance: rec('collectPerformance', () => ({ collector: 'performance', ok: true })),
    syncLogs: rec('syncLogs', () => ({ workflows: [] })),
    decide: rec('decide', () => ({ due: [{ workflow_id: 'a-1', solve_id: 'a-1@x' }, { workflow_id: 'b-1', solve_id: 'b-1@x' }], decisions: [] })),
    solvePrepare: rec('solvePrepare', (i) => round(i.workflow_id, 1)),
    solveEvaluate: rec('solveEvaluate', (i) => {
      if (i.workflow_id === opts.failSolveOf && i.round === 2) {
        const e = new Error('simulator exploded');
        e.name = 'DecodeError'; // not retried
        throw e;
      }
      return { ok: true, batch: i.batch, items: 2 };
    }),
    solveSelect: rec('solveSelect', (i) => {
      if (i.workflow_id === opts.failSolveOf && i.evaluated.some((e: any) => !e.ok)) throw new Error('a batch failed');
      return round(i.workflow_id, i.round + 1);
    }),
    solveStage: rec('solveStage', (i) => ({ workflow_id: i.workflow_id, status: 'staged' })),
    migrate: rec('migrate', () => ({ workflows: [] })),
  };
}

async function execute(tasks: ReturnType<typeof stubTasks>, input: unknown = {}) {
  const sm = new LocalStateMachines({ tasks });
  const id = await sm.start('CaribouCycle', input);
  const events: ExecutionEvent[] = [];
  const result = await sm.follow(id, (e) => events.push(e));
  return { result, events };
}

describe('cycle: the CaribouCycle definition', () => {
  it('is valid ASL (asl-validator)', () => {
    const r = aslValidator(def);
    assert.ok(r.isValid, JSON.stringify(r.errors, null, 2));
  });

  it('every Task has Retry and Catch, and names a known control-plane task', () => {
    const tasks = allStates(def).filter(([, s]) => s.Type === 'Task');
    assert.ok(tasks.length >= 10);
    for (const [name, s] of tasks) {
      assert.ok(s.Retry && s.Retry.length > 0, `${name} has no Retry`);
      assert.ok((s as { Catch?: unknown[] }).Catch?.length, `${name} has no Catch`);
      assert.ok((TASK_NAMES as readonly string[]).includes(taskOfResource(s.Resource) ?? ''), `${name}: unknown resource ${String(s.Resource)}`);
    }
    const names = allStates(def).map(([n]) => n);
    assert.equal(new Set(names).size, names.length, 'state names are unique across the machine');
  });

  it('runs collect → sync → decide → solve rounds → migrate; a failed solve does not fail the cycle', async () => {
    const calls: string[] = [];
    const { result, events } = await execute(stubTasks({ failSolveOf: 'b-1', calls }));
    assert.equal(result.status, 'SUCCEEDED', result.error);
    const out = result.output as any;
    const solve = out.solve as any[];
    assert.deepEqual(solve.map((s) => s.status).sort(), ['failed', 'staged']);
    assert.equal(solve.find((s) => s.status === 'failed').workflow_id, 'b-1');
    // workflow a went round 1..3 (3 Map fan-outs of 3 batches) then Stage
    assert.equal(calls.filter((c) => c === 'solveStage').length, 1);
    assert.ok(calls.indexOf('migrate') > calls.lastIndexOf('solveStage'));
    // the carbon collector failed once and was retried
    assert.equal(calls.filter((c) => c === 'collectCarbon').length, 2);
    const entered = events.filter((e) => e.type === 'StateEntered').map((e) => e.state);
    // (aws-local-stepfunctions may drop a few nested events when two Map iterations interleave, so only the main ones are required)
    for (const s of ['Collect', 'SyncLogs', 'Decide', 'Solve', 'Prepare', 'EvaluateBatches', 'EvaluateBatch', 'Select', 'Migrate'])
      assert.ok(entered.includes(s), `no StateEntered for ${s}: ${events.map((e) => e.type + ':' + e.state).join(' ')}`);
    const iter = events.find((e) => e.type === 'MapIterationStarted' && e.state === 'EvaluateBatches');
    assert.ok(iter?.detail && JSON.parse(iter.detail).total === 3, 'batch iterations carry the fan-out size');
  });

  it('a collector that keeps failing is recorded and the cycle goes on', async () => {
    const { result } = await execute(stubTasks({ failCarbon: true }));
    assert.equal(result.status, 'SUCCEEDED', result.error);
    const carbon = (result.output as any).collect.find((c: any) => c.collector === 'carbon');
    assert.equal(carbon.ok, false);
    assert.match(JSON.stringify(carbon.error), /carbon source down/);
  });

  it('state payloads stay small (data travels by reference)', async () => {
    const { result, events } = await execute(stubTasks());
    assert.ok(JSON.stringify(result.output).length < 256 * 1024);
    assert.ok(events.length > 0);
  });
});

describe('CaribouCycle: the errors no retry can fix are never retried', () => {
  it('every Task that retries lists exactly FINAL_TASK_ERRORS with MaxAttempts 0, before its catch-all', () => {
    const tasks = allStates(def).filter(([, s]) => (s as { Type: string }).Type === 'Task');
    assert.ok(tasks.length >= 10, `found ${tasks.length} Task states`);
    for (const [name, s] of tasks) {
      const retry = (s as { Retry?: Array<{ ErrorEquals: string[]; MaxAttempts?: number }> }).Retry;
      if (!retry) continue;
      const final = retry.find((r) => r.MaxAttempts === 0);
      assert.ok(final, `${name}: no non-retried errors`);
      assert.deepEqual([...final.ErrorEquals].sort(), [...FINAL_TASK_ERRORS].sort(), `${name}: non-retried errors`);
      assert.ok(retry.indexOf(final) < retry.findIndex((r) => r.ErrorEquals.includes('States.ALL')), `${name}: the final errors must come before States.ALL`);
    }
  });
});
