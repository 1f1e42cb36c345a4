import { strict as assert } from 'assert';
import { buildWorkflowInstanceRecord, collectWorkflow, fitBestLine } from '../../src/collect/workflow';
import { decodeOrThrow } from '../../src/model/decode';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { WorkflowInstanceRecord } from '../../src/model/workflow-instance';
import { toStoredSeconds } from '../../src/model/workflow-summary';
import { readSummary, syncWorkflowLogs } from '../../src/sync';
import { A, B, C, J, MemoryLogs, WF, makeRuns, tablesWithWorkflow } from '../sync/fixtures';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const H = 3_600_000;

describe('workflow collector', () => {
  it('fits latency by size by least squares, with Caribou’s acceptance rule and bounds', () => {
    const line = fitBestLine([
      [0, 0.1],
      [1, 2.1],
      [2, 4.1],
    ])!;
    assert.ok(Math.abs(line.slope_s - 2) < 1e-12 && Math.abs(line.intercept_s - 0.1) < 1e-12);
    assert.ok(Math.abs(line.min_latency_s - 0.7 * 2.1) < 1e-12 && Math.abs(line.max_latency_s - 1.3 * 2.1) < 1e-12);
    // a falling line is not believed: flat at the mean
    const flat = fitBestLine([
      [0, 0.3],
      [1, 0.1],
    ])!;
    assert.deepEqual([flat.slope_s, flat.intercept_s], [0, 0.2]);
    assert.equal(fitBestLine([]), undefined);
    // one size only: no slope to fit
    assert.equal(fitBestLine([[1, 0.5], [1, 0.7]])!.slope_s, 0);
  });

  it('turns a synced summary into the record the solver reads: probabilities, durations, latencies as logged', async () => {
    // Prepare
    const runs = makeRuns(21, 400, T0, 60_000, { pC: 0.3, pEu: 0.25 });
    const logs = new MemoryLogs();
    logs.addRuns(runs);
    const tables = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables, logs, now: () => T0 + 400 * 60_000 + 2 * H }, WF);
    // Act
    const rec = await collectWorkflow(tables, WF, new Date(T0 + 10 * H));
    // Assess: stored, and decodes with the solver's codec
    const stored = await tables.get(SYSTEM_REGION, TABLES.workflowInstance, WF);
    assert.deepEqual(decodeOrThrow(WorkflowInstanceRecord, stored, 'stored'), rec);

    const taken = runs.filter((r) => r.truth.c_taken).length;
    const a = rec.instance_summary[A]!;
    assert.equal(a.invocations, 400);
    assert.equal(a.to_instance[C]!.invoked, taken);
    assert.equal(a.to_instance[C]!.non_executions, 400 - taken);
    assert.equal(a.to_instance[C]!.invocation_probability, taken / 400);
    assert.equal(a.to_instance[B]!.invocation_probability, 1);
    assert.equal(rec.instance_summary[B]!.to_instance[J]!.invocation_probability, 1);
    assert.equal(rec.instance_summary[C]!.to_instance[J]!.invocation_probability, 1);
    assert.equal(a.to_instance[J], undefined, 'slots resolved for c when it did not run are not an edge of a');

    // durations per region are exactly the logged ones (at the stored µs resolution)
    for (const inst of [A, B, C, J]) {
      for (const region of ['us-east-1', 'eu-west-1']) {
        const logged = runs.filter((r) => r.truth.durations[inst] !== undefined && r.truth.regions[inst] === region).map((r) => toStoredSeconds(r.truth.durations[inst]!));
        const got = rec.instance_summary[inst]?.executions[region]?.samples.map((s) => s.duration_s) ?? [];
        assert.deepEqual(got, logged, `${inst} in ${region}`);
      }
    }
    // latencies per region pair are exactly the timestamp differences
    const ab = a.to_instance[B]!.regions_to_regions['us-east-1']!;
    for (const to of ['us-east-1', 'eu-west-1']) {
      const truth = runs.filter((r) => r.truth.regions[B] === to).map((r) => r.truth.latencies[`${A}>${B}`]![1]);
      assert.deepEqual(ab[to]!.samples.map(([, lat]) => lat), truth, `a→b to ${to}`);
      assert.ok(ab[to]!.best_fit_line!.min_latency_s > 0);
    }
    assert.ok(ab['eu-west-1']!.best_fit_line!.intercept_s > ab['us-east-1']!.best_fit_line!.intercept_s, 'cross-region is slower');
    // join edges: uploads carry sizes and the join's response size
    assert.equal(rec.instance_summary[B]!.to_instance[J]!.transfer_sizes_gb.length, 400);
    assert.ok(rec.instance_summary[B]!.to_instance[J]!.sync_size_gb! > 0);
    // successor call offsets and the join's download
    assert.ok(a.executions['us-east-1']!.samples.every((s) => s.call_offsets_s[B]! > 0));
    assert.ok(rec.instance_summary[J]!.executions['us-east-1']!.samples.every((s) => s.data_transfer_gb > 0));
    // cpu: known for a (5% of one vCPU at 1769 MB), unknown for b (null): the solver's default
    assert.ok(Math.abs(a.cpu_utilization - 0.05) < 1e-3);
    assert.equal(rec.instance_summary[B]!.cpu_utilization, 0.5);
    // end-to-end runtimes and the start hop
    assert.deepEqual(rec.workflow_runtime_samples, runs.map((r) => toStoredSeconds(r.truth.runtime_s)));
    assert.equal(rec.start_hop_summary.invoked, 400);
    assert.equal(rec.start_hop_summary.transfer_sizes_gb.length, 400);
    assert.ok(rec.start_hop_summary.wpd_size_gb > 0);
    assert.deepEqual(rec.daily_invocation_counts, { '2026-11-20': 400 });
  });

  it('keeps the record under the item limit by shortening sample lists, not counts', async () => {
    const logs = new MemoryLogs();
    logs.addRuns(makeRuns(22, 1000, T0, 30_000));
    const tables = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables, logs, now: () => T0 + 1000 * 30_000 + 2 * H }, WF);
    const summary = (await readSummary(tables, WF))!;
    const rec = buildWorkflowInstanceRecord(summary, new Date(T0), 60_000);
    assert.ok(Buffer.byteLength(JSON.stringify(rec)) <= 60_000);
    decodeOrThrow(WorkflowInstanceRecord, rec, 'bounded record');
    assert.equal(rec.instance_summary[A]!.invocations, 1000);
    assert.equal(rec.instance_summary[A]!.to_instance[B]!.invoked, 1000);
    assert.ok(rec.workflow_runtime_samples.length < 1000);
  });

  it('says what to do when the workflow was never synced', async () => {
    const tables = await tablesWithWorkflow();
    await assert.rejects(collectWorkflow(tables, WF, new Date()), /no log summary yet: run `caribou log_sync -w synth-0.0.1`/);
  });
});
