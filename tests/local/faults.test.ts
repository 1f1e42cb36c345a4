/**
 * The local cloud under faults (CARIBOU_LOCAL_FAULTS) and misbehaving user code.
 *
 * Before leases and checkpoints, 5% of store writes that took effect and then reported an
 * error (a lost response) made 17 of 100 runs of small_sync_example report `succeeded` with
 * 0-2 of their 3 functions run, and joins fire on partial data (totals 6, 8 or 10 instead of
 * 12). Now every run either succeeded with every join's total right, or failed with a reason.
 */
import { strict as assert } from 'assert';
import { knobsFromEnv, openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { runMany, runWorkflow } from '../../src/deploy/run';
import { LocalLogs } from '../../src/cloud/local/logs';
import { faultyTables } from '../../src/cloud/local/faults';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { RegionUnreachableError } from '../../src/cloud/ports';
import { allLines, example, fixture, printedOf, tempDir } from './helpers';
import * as fs from 'fs';
import * as path from 'path';

describe('local cloud: faults (CARIBOU_LOCAL_FAULTS)', function () {
  this.timeout(600_000);
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;
  let sync: WorkflowProject;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir, knobs: { seed: 11, faults: 0.05 }, inMemory: true });
    sync = await loadWorkflowProject(example('small_sync_example'));
    await deployWorkflow(cloud, sync);
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  it('the knob comes from the environment, with a worded error for a bad value', () => {
    assert.equal(knobsFromEnv({ CARIBOU_LOCAL_FAULTS: '0.05' }).faults, 0.05);
    assert.equal(knobsFromEnv({}).faults, 0);
    assert.throws(() => knobsFromEnv({ CARIBOU_LOCAL_FAULTS: 'lots' }), /CARIBOU_LOCAL_FAULTS must be a probability from 0 to 1, got "lots"/);
  });

  it('at 5%, every run of small_sync_example succeeded with every total right or failed with a reason; at least 90 of 100 succeed', async () => {
    const payloads = Array.from({ length: 100 }, (_, i) => ({ message: `run ${i}`, number: 1 + (i % 7) }));
    const results = await runMany(cloud, sync.config.workflow_id, payloads, { spacingS: 0.05 });
    const printed = await printedOf(cloud, sync.config, 'secondSyncFunction');
    let injected = 0;
    results.forEach((r, i) => {
      assert.ok(r.status === 'succeeded' || r.status === 'failed', `run ${i}: ${r.status} ${JSON.stringify(r.errors)}`);
      assert.equal(typeof r.faults_injected, 'number', 'run --json reports faults_injected when the knob is set');
      injected += r.faults_injected!;
      const totals = printed.filter((o) => o.run_id === r.run_id).map((o) => o.total);
      // the join may run again after a crash (at-least-once execution), but always on all its data
      for (const t of totals) assert.equal(t, 6 * payloads[i].number, `run ${i}: the final join saw every slot`);
      if (r.status === 'succeeded') {
        assert.ok(totals.length >= 1, `run ${i} succeeded, so its final join ran`);
        assert.deepEqual(r.instances.map((x) => x.outcome), ['executed', 'executed', 'executed'], `run ${i}`);
        const final = r.instances.find((x) => x.instance.includes('secondSyncFunction'))!;
        assert.equal((final.result as { total: number }).total, 6 * payloads[i].number, 'the final instance\'s result is reported');
      } else {
        assert.ok(r.errors && r.errors.length > 0 && r.errors.every((e) => e.length > 0), `run ${i} failed and says why`);
      }
    });
    const ok = results.filter((r) => r.status === 'succeeded').length;
    assert.ok(ok >= 90, `${ok} of 100 runs succeeded`);
    assert.ok(injected > 0, 'faults were injected');
    assert.ok(results.some((r) => r.instances.some((x) => (x.attempts ?? 1) > 1)), 'some instance needed a retry');
  });

  it('the outage knob takes a region\'s tables down too: a call there throws RegionUnreachableError', async () => {
    const t = new MemoryKeyValueStore();
    await t.ensureTable('us-west-1', 'x');
    const down = faultyTables(t, { outage: new Set(['us-west-1']) });
    await assert.rejects(down.get('us-west-1', 'x', 'k'), RegionUnreachableError);
    await assert.rejects(down.setFieldOnce('us-west-1', 'x', 'k', 'f', 1), RegionUnreachableError);
    await assert.doesNotReject(faultyTables(t, { outage: new Set(['eu-west-1']) }).get('us-west-1', 'x', 'k'));
  });

  it('log lines are on disk as soon as they are written (a killed process leaves what it logged)', () => {
    const logs = new LocalLogs(path.join(tmp.dir, 'durable-logs'));
    logs.append('us-east-1', 'fn', 1000, 'first line');
    const file = path.join(tmp.dir, 'durable-logs', 'us-east-1', 'fn.jsonl');
    assert.deepEqual(fs.readFileSync(file, 'utf8'), JSON.stringify({ time: 1000, line: 'first line' }) + '\n');
  });
});

describe('local cloud: misbehaving user code is contained', function () {
  this.timeout(600_000);
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;
  let p: WorkflowProject;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir, knobs: { seed: 5 }, inMemory: true });
    p = await loadWorkflowProject(fixture('misbehaving'));
    await deployWorkflow(cloud, p);
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  async function entryLines(runId: string) {
    return (await allLines(cloud, p.config, 'entry')).filter((l) => l.line.includes(runId) || l.line.startsWith('starting'));
  }

  it('process.exit() in a function fails its run with a worded error; the process and the logs survive', async () => {
    const r = await runWorkflow(cloud, p.config.workflow_id, { mode: 'exit' });
    assert.equal(r.status, 'failed');
    assert.match(r.errors!.join('\n'), /called process\.exit\(3\)/);
    assert.equal(r.instances[0].outcome, 'failed');
    assert.ok((await entryLines(r.run_id)).some((l) => l.line === 'starting exit'), 'what it logged before exiting is kept');
  });

  it('a busy loop past the timeout fails the run with timeout, not a long execution', async () => {
    const r = await runWorkflow(cloud, p.config.workflow_id, { mode: 'busy' });
    assert.equal(r.status, 'failed');
    assert.match(r.errors!.join('\n'), /timeout: entry ran longer than its timeout of 1 s/);
    assert.equal(r.instances.length, 1, 'its successor did not run');
  });

  it('a function that never settles is stopped at its timeout', async () => {
    const r = await runWorkflow(cloud, p.config.workflow_id, { mode: 'hang' });
    assert.equal(r.status, 'failed');
    assert.match(r.errors!.join('\n'), /timeout: entry ran longer than its timeout of 1 s/);
  });

  it('a function that behaves runs to the end and its result is reported', async () => {
    const r = await runWorkflow(cloud, p.config.workflow_id, { mode: 'ok' });
    assert.equal(r.status, 'succeeded', JSON.stringify(r.errors));
    assert.deepEqual(r.instances.find((i) => i.instance.includes('last'))?.result, { finished: 'ok' });
  });
});
