/**
 * The local runner counts the history events and measures the payloads AWS would record per
 * execution (src/cloud/local/history.ts), on real executions of aws-local-stepfunctions.
 */
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HISTORY_EVENT_LIMIT, PAYLOAD_LIMIT_BYTES, payloadBytes, quotaBreach } from '../../src/cloud/local/history';
import { LocalStateMachines } from '../../src/cloud/local/state-machines';

const pass = (next?: string) => (next ? { Type: 'Pass', Next: next } : { Type: 'Pass', End: true });

/** Writes a definition as <dir>/<file name of name>, runs it once, returns its figures and result. */
async function run(name: string, def: unknown, tasks: Record<string, (i: any) => Promise<unknown>>, input: unknown = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-history-'));
  try {
    const file = name.replace(/([a-z0-9])([A-Z])/g, '$1-$2').toLowerCase() + '.asl.json';
    fs.writeFileSync(path.join(dir, file), JSON.stringify(def));
    const sm = new LocalStateMachines({ tasks, dir });
    const id = await sm.start(name, input);
    const result = await sm.follow(id, () => undefined);
    return { result, figures: sm.history(id) };
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe('local runner: history events and payloads as AWS counts them', () => {
  it('counts 2 per execution, 5 per Lambda Task, 4 + 2 per iteration for Map and Parallel, 2 per Pass/Choice/Succeed', async () => {
    const def = {
      StartAt: 'First',
      States: {
        First: { Type: 'Task', Resource: '${work}', Next: 'Fan' },
        Fan: {
          Type: 'Map',
          ItemsPath: '$.items',
          MaxConcurrency: 1,
          ItemProcessor: { ProcessorConfig: { Mode: 'INLINE' }, StartAt: 'Each', States: { Each: { Type: 'Task', Resource: '${work}', End: true } } },
          ResultPath: null,
          Next: 'Both',
        },
        Both: { Type: 'Parallel', Branches: [{ StartAt: 'L', States: { L: pass() } }, { StartAt: 'R', States: { R: pass() } }], ResultPath: null, Next: 'Which' },
        Which: { Type: 'Choice', Choices: [{ Variable: '$.items[0]', NumericEquals: 1, Next: 'Done' }], Default: 'Done' },
        Done: { Type: 'Succeed' },
      },
    };
    const { result, figures } = await run('Counted', def, { work: async (i) => i }, { items: [1, 2, 3, 4, 5] });
    assert.equal(result.status, 'SUCCEEDED', result.error);
    // execution 2, First 5, Fan 4 + 5 × (2 + 5), Both 4 + 2 × 2, Which 2, Done 2
    assert.equal(figures.events, 2 + 5 + (4 + 5 * 7) + (4 + 4) + 2 + 2);
  });

  it('a retried Task adds 3 events per extra attempt', async () => {
    let n = 0;
    const def = {
      StartAt: 'Flaky',
      States: { Flaky: { Type: 'Task', Resource: '${flaky}', Retry: [{ ErrorEquals: ['States.ALL'], IntervalSeconds: 1, MaxAttempts: 3 }], End: true } },
    };
    const { result, figures } = await run('Retried', def, {
      flaky: async () => {
        if (++n < 3) throw new Error('not yet');
        return { ok: true };
      },
    });
    assert.equal(result.status, 'SUCCEEDED', result.error);
    assert.equal(figures.events, 2 + 5 + 2 * 3);
  });

  it('measures the largest state payload in UTF-8 bytes and words a breach of either quota', async () => {
    const big = 'é'.repeat(140 * 1024); // 280 KiB in UTF-8, 140 Ki characters
    const def = { StartAt: 'Big', States: { Big: { Type: 'Task', Resource: '${big}', End: true } } };
    const { figures } = await run('Payloads', def, { big: async () => ({ text: big }) });
    assert.equal(figures.maxPayloadBytes, payloadBytes({ text: big }));
    assert.ok(figures.maxPayloadBytes > PAYLOAD_LIMIT_BYTES);
    assert.match(quotaBreach('Payloads', figures) ?? '', /state Big passes \d+ bytes; Step Functions' limit is 262144/);
    assert.match(quotaBreach('X', { events: HISTORY_EVENT_LIMIT + 1, maxPayloadBytes: 10 }) ?? '', /25001 history events.*25000/);
    assert.equal(quotaBreach('X', { events: HISTORY_EVENT_LIMIT, maxPayloadBytes: PAYLOAD_LIMIT_BYTES }), undefined);
  });
});

describe('local runner: a Distributed Map runs each item as a child execution with its own history', () => {
  const def = (extra: Record<string, unknown> = {}) => ({
    StartAt: 'Solve',
    States: {
      Solve: {
        Type: 'Map',
        ItemsPath: '$.due',
        ItemSelector: { 'workflow_id.$': '$$.Map.Item.Value.id', 'index.$': '$$.Map.Item.Index', 'cycle.$': '$.cycle' },
        MaxConcurrency: 3,
        ItemProcessor: {
          ProcessorConfig: { Mode: 'DISTRIBUTED', ExecutionType: 'STANDARD' },
          StartAt: 'Round',
          States: {
            Round: { Type: 'Task', Resource: '${solve}', Next: 'More' },
            More: { Type: 'Choice', Choices: [{ Variable: '$.done', BooleanEquals: false, Next: 'Round' }], Default: 'Done' },
            Done: { Type: 'Succeed' },
          },
        },
        ResultPath: '$.solve',
        End: true,
        ...extra,
      },
    },
  });
  const rounds = 50;
  const solve = async (i: any) => {
    if (String(i.workflow_id).startsWith('bad')) throw new Error('solver exploded');
    const round = (i.round ?? 0) + 1;
    return { ...i, round, done: round >= rounds };
  };

  it('the parent pays 4 events for the whole Map; each child its own; items, selector and order kept', async function () {
    this.timeout(300_000);
    const due = Array.from({ length: 8 }, (_, k) => ({ id: `w${k}` }));
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-history-'));
    try {
      fs.writeFileSync(path.join(dir, 'cycle.asl.json'), JSON.stringify(def()));
      const sm = new LocalStateMachines({ tasks: { solve }, dir });
      const id = await sm.start('Cycle', { due, cycle: 'c1' });
      const r = await sm.follow(id, () => undefined);
      assert.equal(r.status, 'SUCCEEDED', r.error);
      const out = (r.output as any).solve as any[];
      assert.deepEqual(out.map((o) => [o.workflow_id, o.index, o.cycle, o.round]), due.map((d, k) => [d.id, k, 'c1', rounds]));
      const all = sm.histories();
      assert.equal(all.size, 1 + due.length);
      // parent: execution 2 + the Distributed Map 4, whatever the item count or rounds
      assert.equal(sm.history(id).events, 2 + 4);
      // each child: execution 2 + per round Task 5 and Choice 2, and Succeed 2
      for (const [cid, f] of all) if (cid !== id) assert.equal(f.events, 2 + rounds * 7 + 2, cid);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a failed child fails the Map beyond the tolerated failures, and is reported in place within them', async function () {
    this.timeout(300_000);
    const due = [{ id: 'w0' }, { id: 'bad1' }, { id: 'w2' }, { id: 'w3' }];
    for (const [extra, status] of [[{}, 'FAILED'], [{ ToleratedFailurePercentage: 25 }, 'SUCCEEDED']] as const) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-history-'));
      try {
        fs.writeFileSync(path.join(dir, 'cycle.asl.json'), JSON.stringify(def(extra)));
        const sm = new LocalStateMachines({ tasks: { solve }, dir });
        const r = await sm.follow(await sm.start('Cycle', { due, cycle: 'c1' }), () => undefined);
        assert.equal(r.status, status, JSON.stringify(extra));
        if (status === 'FAILED') assert.match(r.error ?? '', /ExceedToleratedFailureThreshold.*1 of 4 child executions failed/);
        else {
          const out = (r.output as any).solve as any[];
          assert.equal(out[1].Error, 'States.ChildExecutionFailed');
          assert.match(out[1].Cause, /solver exploded/);
          assert.equal(out.filter((o) => o.round === rounds).length, 3);
        }
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
