import { strict as assert } from 'assert';
import { formatLogLine } from '../../src/model/log-event';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { itemBytes, toStoredSeconds, WorkflowSummaryItem } from '../../src/model/workflow-summary';
import { chunkEnds, formatSyncReport, readSummary, syncWorkflowLogs } from '../../src/sync';
import { parseLogLine } from '../../src/sync/parse';
import { A, B, C, J, MemoryLogs, WF, makeRun, makeRuns, physical, rng, tablesWithWorkflow } from './fixtures';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const H = 3_600_000;
const BUFFER = 15 * 60_000;

describe('log sync: parsing lines', () => {
  const ev = { v: '1', time: '2026-11-20T00:00:00.000Z', run_id: 'r', workflow_id: WF, instance: A, region: 'us-east-1', event: 'INVOKED', taint: null, hops: 0, payload_gb: 0 } as const;

  it('accepts a runtime line, also behind the Lambda runtime prefix', () => {
    assert.equal(parseLogLine(formatLogLine(ev)).ok, true);
    assert.equal(parseLogLine(`2026-11-20T00:00:00.000Z\tabc-123\tINFO\t${formatLogLine(ev)}`, WF).ok, true);
  });

  it('skips and names every kind of odd line without throwing', () => {
    const reason = (l: string) => {
      const p = parseLogLine(l, WF);
      return p.ok ? 'ok' : p.reason;
    };
    assert.equal(reason('REPORT RequestId: 1 Duration: 2 ms'), 'foreign');
    assert.equal(reason('[CARIBOU] {not json'), 'malformed');
    assert.equal(reason('[CARIBOU] [1,2]'), 'malformed');
    assert.equal(reason(formatLogLine({ ...ev, v: '0.0.4' } as never)), 'unknown_version');
    assert.equal(reason(formatLogLine({ ...ev, event: 'DEBUG_MESSAGE' } as never)), 'unknown_event');
    assert.equal(reason(formatLogLine({ ...ev, event: 'toString' } as never)), 'unknown_event');
    assert.equal(reason(formatLogLine({ ...ev, hops: 'x' } as never)), 'malformed');
    assert.equal(reason(formatLogLine({ ...ev, payload_gb: -1 } as never)), 'malformed');
    assert.equal(reason(formatLogLine({ ...ev, time: 'yesterday' } as never)), 'malformed');
    assert.equal(reason(formatLogLine({ ...ev, workflow_id: 'other-1' } as never)), 'other_workflow');
  });

  it('cuts a window into chunks on a fixed grid', () => {
    assert.deepEqual(chunkEnds(5, 25, 10), [10, 20, 25]);
    assert.deepEqual(chunkEnds(10, 20, 10), [20]);
    assert.deepEqual(chunkEnds(10, 10, 10), []);
  });
});

describe('log sync: rebuilding runs', () => {
  it('keeps what was logged: durations, latencies equal to timestamp differences, call offsets, skips', async () => {
    // Prepare
    const runs = makeRuns(1, 300, T0, 60_000);
    const logs = new MemoryLogs();
    logs.addRuns(runs);
    const tables = await tablesWithWorkflow();
    const now = T0 + 300 * 60_000 + 2 * H;
    // Act
    const report = await syncWorkflowLogs({ tables, logs, now: () => new Date(now) }, WF);
    const s = (await readSummary(tables, WF))!;
    // Assess
    assert.equal(report.runs.started, 300);
    assert.equal(report.runs.kept, 300);
    assert.equal(s.runs.length, 300);
    assert.equal(s.pending.length, 0);
    assert.deepEqual(s.daily_invocation_counts, { '2026-11-20': 300 });
    for (const [i, run] of s.runs.entries()) {
      const truth = runs[i]!.truth;
      assert.equal(run.start_ms, truth.start_ms);
      assert.equal(run.runtime_s, toStoredSeconds(truth.runtime_s));
      for (const x of run.executions) {
        assert.equal(x.duration_s, toStoredSeconds(truth.durations[x.instance]!), `duration of ${x.instance}`);
        assert.equal(x.region, truth.regions[x.instance]);
      }
      assert.deepEqual(run.executions.map((x) => x.instance).sort(), (truth.c_taken ? [A, B, C, J] : [A, B, J]).sort());
      for (const m of run.transmissions.filter((m) => m.latency_s !== null)) {
        const [gb, lat] = truth.latencies[`${m.from}>${m.to}`]!;
        assert.equal(m.latency_s, lat, `latency ${m.from}>${m.to}`);
        assert.ok(Math.abs(m.size_gb - gb) < 1e-12);
      }
      assert.equal(run.skipped.some(([f, t]) => f === A && t === C), !truth.c_taken);
      const a = run.executions.find((x) => x.instance === A)!;
      assert.ok(a.calls[B]! > 0);
      assert.equal(C in a.calls, truth.c_taken);
      assert.equal(run.executions.find((x) => x.instance === J)!.data_transfer_gb, 2000 / 1024 ** 3);
    }
    assert.match(formatSyncReport(report), /300 kept/);
  });

  it('counts failed runs per day and drops them from the samples', async () => {
    const runs = [...makeRuns(2, 10, T0, 60_000), ...makeRuns(3, 4, T0 + 30 * 60_000 + 7, 60_000, { fail: true })];
    const logs = new MemoryLogs();
    logs.addRuns(runs);
    const tables = await tablesWithWorkflow();
    const report = await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H }, WF);
    const s = (await readSummary(tables, WF))!;
    assert.equal(report.runs.failed, 4);
    assert.equal(s.runs.length, 10);
    assert.deepEqual(s.daily_failure_counts, { '2026-11-20': 4 });
    assert.deepEqual(s.daily_invocation_counts, { '2026-11-20': 14 });
  });

  it('a run stopped by the hop limit is a failure, not an incomplete run; a failed run waits for its messages in flight', async () => {
    const [run] = makeRuns(15, 1, T0, 0);
    const logs = new MemoryLogs();
    const jLines = run!.lines.filter(({ key }) => key.includes('-j_aws-'));
    for (const l of run!.lines) if (!jLines.includes(l)) logs.add(l.key, l.line);
    // j refuses to run: it logs HOP_LIMIT_EXCEEDED (and no INVOKED) at the time it was delivered
    const invokedJ = JSON.parse(jLines[0]!.line.line.slice('[CARIBOU] '.length));
    const refusedAt = jLines[0]!.line.time + 3_600_000; // delivered late: still in flight at the first sync
    logs.add(jLines[0]!.key, {
      time: refusedAt,
      line: formatLogLine({ ...invokedJ, event: 'HOP_LIMIT_EXCEEDED', time: new Date(refusedAt).toISOString(), hops: 21, limit: 20, taint: undefined, payload_gb: undefined }),
    });
    const tables = await tablesWithWorkflow();
    const r1 = await syncWorkflowLogs({ tables, logs, now: () => T0 + 30 * 60_000 + BUFFER }, WF);
    assert.deepEqual([r1.runs.pending, r1.runs.failed], [1, 0]);
    const r2 = await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H + BUFFER }, WF);
    assert.deepEqual([r2.runs.failed, r2.runs.incomplete, r2.runs.pending], [1, 0, 0]);
    assert.deepEqual((await readSummary(tables, WF))!.daily_failure_counts, { '2026-11-20': 1 });
  });

  it('drops a run that never completes, once stale, and says why', async () => {
    const [run] = makeRuns(4, 1, T0, 0);
    const logs = new MemoryLogs();
    // lose j's lines: the message that fired the join never arrives
    for (const { key, line } of run!.lines) if (!key.includes('-j_aws-')) logs.add(key, line);
    const tables = await tablesWithWorkflow();
    const r1 = await syncWorkflowLogs({ tables, logs, now: () => T0 + 30 * 60_000 }, WF);
    assert.equal(r1.runs.pending, 1, 'still possibly in flight');
    const r2 = await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H }, WF);
    assert.equal(r2.runs.incomplete, 1);
    assert.equal(r2.runs.pending, 0);
    assert.match(Object.keys(r2.incomplete_reasons)[0]!, /never arrived/);
  });

  it('drops a run in which an instance ran twice (a duplicate delivery)', async () => {
    const [run] = makeRuns(5, 1, T0, 0);
    const logs = new MemoryLogs();
    logs.addRuns([run!]);
    const dup = run!.lines.find(({ line }) => line.line.includes('"INVOKED"') && line.line.includes(J))!;
    logs.add(dup.key, { time: dup.line.time + 5, line: dup.line.line });
    const tables = await tablesWithWorkflow();
    const r = await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H }, WF);
    assert.equal(r.runs.duplicate, 1);
    assert.equal(r.runs.kept, 0);
  });
});

describe('log sync: incremental windows', () => {
  it('syncing twice adds nothing twice', async () => {
    const logs = new MemoryLogs();
    logs.addRuns(makeRuns(6, 100, T0, 60_000));
    const tables = await tablesWithWorkflow();
    const deps = { tables, logs, now: () => T0 + 5 * H };
    await syncWorkflowLogs(deps, WF);
    const first = await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF);
    const again = await syncWorkflowLogs(deps, WF);
    assert.equal(again.lines, 0);
    assert.deepEqual(await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF), first);
    const s = (await readSummary(tables, WF))!;
    assert.equal(s.runs.length, 100);
    assert.equal(s.daily_invocation_counts['2026-11-20'], 100);
  });

  it('reads every line exactly once across many syncs, including lines sharing the boundary timestamp, and picks up runs straddling a window end', async () => {
    const runs = makeRuns(7, 240, T0, 30_000);
    const logs = new MemoryLogs();
    logs.addRuns(runs);
    const totalLines = runs.reduce((n, r) => n + r.lines.length, 0);
    const tables = await tablesWithWorkflow();
    // windows end on odd times so that many runs straddle them; one ends exactly on a run's lines
    const boundary = runs[100]!.truth.start_ms; // ENTRY_POINT and INVOKED of run 100 share this ms
    const ends = [T0 + 7 * 60_000 + 1, boundary, boundary + 13, T0 + 61 * 60_000 + 417, T0 + 5 * H];
    let lines = 0;
    let started = 0;
    let kept = 0;
    for (const end of ends) {
      const r = await syncWorkflowLogs({ tables, logs, now: () => end + BUFFER }, WF);
      lines += r.lines;
      started += r.runs.started;
      kept += r.runs.kept;
    }
    assert.equal(lines, totalLines);
    assert.equal(started, 240);
    assert.equal(kept, 240);
    const s = (await readSummary(tables, WF))!;
    assert.deepEqual(
      s.runs.map((r) => r.start_ms),
      runs.map((r) => r.truth.start_ms),
    );
  });

  it('an interrupted sync, re-run, gives the same summary as an uninterrupted one', async () => {
    const runs = makeRuns(8, 200, T0, 90_000);
    const now = T0 + 8 * H;
    const opts = { chunkMs: H };
    const clean = new MemoryLogs();
    clean.addRuns(runs);
    const tablesClean = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables: tablesClean, logs: clean, now: () => now }, WF, opts);

    const flaky = new MemoryLogs();
    flaky.addRuns(runs);
    const tables = await tablesWithWorkflow();
    // a first sync up to an earlier time, so the interrupted one starts from a real watermark
    await syncWorkflowLogs({ tables, logs: flaky, now: () => T0 + 2 * H + BUFFER + 1234 }, WF, opts);
    flaky.reads = 0;
    flaky.failOnRead = 8 * 3 + 5; // in the 4th chunk, after 3 committed chunks
    let commits = 0;
    await assert.rejects(syncWorkflowLogs({ tables, logs: flaky, now: () => now }, WF, { ...opts, onCommit: () => commits++ }), /simulated crash/);
    assert.equal(commits, 3, 'the chunks before the crash were committed');
    flaky.failOnRead = undefined;
    await syncWorkflowLogs({ tables, logs: flaky, now: () => now }, WF, opts);

    const a = (await readSummary(tablesClean, WF))!;
    const b = (await readSummary(tables, WF))!;
    assert.equal(b.runs.length, 200);
    assert.deepEqual(b.runs, a.runs);
    assert.deepEqual(b.daily_invocation_counts, a.daily_invocation_counts);
    assert.deepEqual(b.pending, a.pending);
    assert.equal(b.synced_until_ms, a.synced_until_ms);
  });
});

describe('log sync: garbage and bounds', () => {
  it('50,000 lines with 5% garbage: every line counted under the right heading', async () => {
    const rand = rng(9);
    const logs = new MemoryLogs();
    const runs = [];
    let good = 0;
    for (let i = 0; good < 47_500; i++) {
      const r = makeRun(rand, `g-${i}`, T0 + i * 20_000);
      if (good + r.lines.length > 47_500) break;
      runs.push(r);
      good += r.lines.length;
    }
    logs.addRuns(runs);
    const key = `us-east-1/${physical('a', 'us-east-1')}`;
    const kinds = ['foreign', 'malformed', 'unknown_version', 'unknown_event', 'other_workflow'] as const;
    const garbage = 50_000 - good;
    const expected: Record<string, number> = { foreign: 0, malformed: 0, unknown_version: 0, unknown_event: 0, other_workflow: 0, corrupt: 0 };
    for (let i = 0; i < garbage; i++) {
      const kind = kinds[i % kinds.length]!;
      expected[kind]!++;
      const time = T0 + Math.floor(rand() * runs.length * 20_000);
      const ev = { v: '1', time: new Date(time).toISOString(), run_id: `x${i}`, workflow_id: WF, instance: A, region: 'us-east-1', event: 'INVOKED', taint: null, hops: 0, payload_gb: 0 };
      const line = {
        foreign: `START RequestId: ${i} Version: $LATEST`,
        malformed: `[CARIBOU] {"v":"1","time":"${ev.time}","run_id":`,
        unknown_version: formatLogLine({ ...ev, v: '2' } as never),
        unknown_event: formatLogLine({ ...ev, event: 'SOMETHING_NEW' } as never),
        other_workflow: formatLogLine({ ...ev, workflow_id: 'other-1.0' } as never),
      }[kind];
      logs.add(key, { time, line });
    }
    const tables = await tablesWithWorkflow();
    const t = process.hrtime.bigint();
    const r = await syncWorkflowLogs({ tables, logs, now: () => T0 + runs.length * 20_000 + 3 * H }, WF);
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    assert.equal(r.lines, 50_000);
    assert.equal(r.events, good);
    assert.deepEqual(r.skipped, expected);
    assert.equal(r.runs.started, runs.length);
    assert.equal(r.runs.kept, runs.length);
    assert.equal(r.examples.length, 3);
    assert.ok(ms < 20_000, `took ${ms} ms`);
  });

  it('at the cap: 5,000 runs kept (rare region pairs beyond it too), item under 400 KB', async () => {
    // 6,000 runs in 3 days; b runs in eu-west-1 only in the first 50 (the old, rare region)
    const rand = rng(10);
    const runs = Array.from({ length: 6000 }, (_, i) => makeRun(rand, `c-${i}`, T0 + i * 40_000, { pEu: i < 50 ? 1 : 0 }));
    const logs = new MemoryLogs();
    logs.addRuns(runs);
    const tables = await tablesWithWorkflow();
    const r = await syncWorkflowLogs({ tables, logs, now: () => T0 + 6000 * 40_000 + 3 * H }, WF);
    const item = (await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF)) as WorkflowSummaryItem;
    const s = (await readSummary(tables, WF))!;
    const euRuns = s.runs.filter((x) => x.executions.some((e) => e.instance === B && e.region === 'eu-west-1'));
    assert.equal(euRuns.length, 10, 'keep-alive: 10 samples of the rare region survive the cap');
    assert.equal(s.runs.length, 5000 + 10);
    assert.ok(itemBytes(item) < 400 * 1024, `item is ${itemBytes(item)} bytes`);
    assert.equal(r.runs.size_trimmed, 0);
    assert.equal(r.runs.over_cap, 1000 - 10);
  });

  it('never exceeds the item limit: a smaller limit trims runs instead of failing', async () => {
    const logs = new MemoryLogs();
    logs.addRuns(makeRuns(11, 2000, T0, 30_000));
    const tables = await tablesWithWorkflow();
    const r = await syncWorkflowLogs({ tables, logs, now: () => T0 + 2000 * 30_000 + 3 * H }, WF, { maxItemBytes: 40_000 });
    const item = (await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF)) as WorkflowSummaryItem;
    assert.ok(itemBytes(item) <= 40_000, `item is ${itemBytes(item)} bytes`);
    assert.ok(r.runs.size_trimmed > 0);
    assert.equal(r.summary.runs + r.runs.size_trimmed, 2000);
  });

  it('forgets runs and daily counts older than the retention window', async () => {
    const logs = new MemoryLogs();
    logs.addRuns(makeRuns(12, 10, T0, 60_000));
    const tables = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H }, WF);
    const r = await syncWorkflowLogs({ tables, logs, now: () => T0 + 32 * 24 * H }, WF);
    const s = (await readSummary(tables, WF))!;
    assert.equal(s.runs.length, 0);
    assert.equal(r.runs.expired, 10);
    assert.deepEqual(s.daily_invocation_counts, {});
  });

  it('a corrupt summary is reported clearly, not silently replaced', async () => {
    const tables = await tablesWithWorkflow();
    await tables.ensureTable(SYSTEM_REGION, TABLES.workflowSummary);
    await tables.put(SYSTEM_REGION, TABLES.workflowSummary, WF, { workflow_id: WF, data: 'x' });
    await assert.rejects(syncWorkflowLogs({ tables, logs: new MemoryLogs(), now: () => T0 }, WF), /workflow_summary_table\[synth-0.0.1\]/);
  });

  it('--reset rebuilds a corrupt summary exactly from the logs', async () => {
    const logs = new MemoryLogs();
    logs.addRuns(makeRuns(14, 50, T0, 60_000));
    const now = () => T0 + 5 * H;
    const tables = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables, logs, now }, WF);
    const good = await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF);
    await tables.put(SYSTEM_REGION, TABLES.workflowSummary, WF, { broken: true });
    await assert.rejects(syncWorkflowLogs({ tables, logs, now }, WF));
    await syncWorkflowLogs({ tables, logs, now }, WF, { reset: true });
    assert.deepEqual(await tables.get(SYSTEM_REGION, TABLES.workflowSummary, WF), good);
  });

  it('an undeployed workflow is a clear error', async () => {
    const tables = await tablesWithWorkflow();
    await assert.rejects(syncWorkflowLogs({ tables, logs: new MemoryLogs(), now: () => T0 }, 'nope-1.0'), /nope-1.0 has no deployment_resources_table entry/);
  });

  it('keeps a run whose lines come in a later window than its start (pending survives the round trip)', async () => {
    const rand = rng(13);
    const run = makeRun(rand, 'late', T0 + H - 50);
    const logs = new MemoryLogs();
    logs.addRuns([run]);
    const tables = await tablesWithWorkflow();
    const r1 = await syncWorkflowLogs({ tables, logs, now: () => T0 + H + BUFFER }, WF);
    assert.equal(r1.runs.pending, 1);
    assert.equal((await readSummary(tables, WF))!.pending[0]!.run_id, 'late');
    const r2 = await syncWorkflowLogs({ tables, logs, now: () => T0 + 3 * H }, WF);
    assert.equal(r2.runs.kept, 1);
    assert.equal(r1.runs.started + r2.runs.started, 1);
    void B;
    void J;
  });
});
