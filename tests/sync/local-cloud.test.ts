import { strict as assert } from 'assert';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { collectWorkflow } from '../../src/collect/workflow';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { LOG_PREFIX } from '../../src/model/log-event';
import { physicalFunctionName } from '../../src/model/primitives';
import { toStoredSeconds } from '../../src/model/workflow-summary';
import { syncWorkflowLogs } from '../../src/sync';
import { example, tempDir } from '../local/helpers';
import { rng } from './fixtures';

const RUNS = Number(process.env.CARIBOU_SYNC_IT_RUNS ?? 1000);

/**
 * The done-when of the log syncer: many runs of an example with conditional edges on the
 * local cloud, then log_sync and the workflow collector; the record agrees with what happened.
 */
describe('log sync on the local cloud: image_processing, conditional edges', function () {
  this.timeout(600_000);
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir, knobs: { seed: 3 }, inMemory: true, start: new Date('2026-11-20T00:00:00Z') });
  });
  after(async () => {
    await cloud?.close();
    tmp?.cleanup();
  });

  it(`${RUNS} runs → log_sync → collector: probabilities, durations and latencies as they happened`, async () => {
    const p = await loadWorkflowProject(example('image_processing'));
    await deployWorkflow(cloud, p);
    const id = p.config.workflow_id;
    const rand = rng(77);
    const all = ['flip', 'rotate', 'blur', 'greyscale', 'resize'];
    // 1–5 transforms per run: call site k (1..4) of get_requests is taken iff more than k were asked for
    const counts = Array.from({ length: RUNS }, () => 1 + Math.floor(rand() * 5));
    const t0 = Date.parse('2026-11-20T01:00:00Z');
    const started = Date.now();
    const results = await runMany(cloud, id, counts.map((n) => ({ transforms: all.slice(0, n) })), { at: new Date(t0), spacingS: 2 });
    const runMs = Date.now() - started;
    assert.ok(results.every((r) => r.status === 'succeeded'));
    cloud.advanceTo(new Date(t0 + RUNS * 2000 + 3_600_000));

    const report = await syncWorkflowLogs({ tables: cloud.tables, logs: cloud.logs, now: () => cloud.now() }, id);
    assert.equal(report.runs.started, RUNS);
    assert.equal(report.runs.kept, RUNS, JSON.stringify(report));
    const rec = await collectWorkflow(cloud.tables, id, cloud.now());

    // which instance is call site k
    const entry = p.config.instances.find((i) => i.entry_point)!;
    const siteTo = new Map(entry.call_sites.map((c) => [c.site, c.successor]));
    const edges = rec.instance_summary[entry.instance_name]!.to_instance;
    for (let k = 0; k <= 4; k++) {
      const succ = siteTo.get(k)!;
      const trueRate = k === 0 ? 1 : (5 - k) / 5; // P(count > k) for count uniform on 1..5
      const realised = counts.filter((n) => n > k).length / RUNS;
      const got = edges[succ]!.invocation_probability;
      // ±0.05 is ~3 standard deviations at 1,000 runs (a smaller CARIBOU_SYNC_IT_RUNS is a quick check only)
      if (RUNS >= 1000) assert.ok(Math.abs(got - trueRate) <= 0.05, `site ${k}: ${got} vs true ${trueRate}`);
      assert.equal(got, realised, `site ${k}: the measured rate is the realised one`);
    }

    // durations: the logged ones; latencies: differences of the virtual clock's timestamps
    const region = p.config.home_region.region;
    const events: Array<Record<string, any>> = [];
    for (const fn of p.config.functions) {
      const lines = await cloud.logs.read(region, physicalFunctionName(p.config.workflow_name, p.config.workflow_version, fn.name, region), 0, Number.MAX_SAFE_INTEGER);
      for (const l of lines) if (l.line.startsWith(LOG_PREFIX)) events.push(JSON.parse(l.line.slice(LOG_PREFIX.length)));
    }
    const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
    // the record keeps every sample unless it would pass the item limit; then the newest of each list
    const entryMs = new Map(events.filter((e) => e.event === 'ENTRY_POINT').map((e) => [e.run_id, Date.parse(e.time)]));
    const newest = <T>(xs: Array<{ run_id: string; v: T }>, n: number): T[] =>
      [...xs]
        .sort((a, b) => entryMs.get(a.run_id)! - entryMs.get(b.run_id)!)
        .slice(-n)
        .map((x) => x.v);
    let trimmed = false;
    for (const inst of p.config.instances) {
      const logged = events.filter((e) => e.event === 'EXECUTED' && e.instance === inst.instance_name).map((e) => ({ run_id: e.run_id, v: toStoredSeconds(Math.max(e.user_s, e.total_s)) }));
      const got = rec.instance_summary[inst.instance_name]!.executions[region]!.samples.map((s) => s.duration_s);
      assert.equal(rec.instance_summary[inst.instance_name]!.invocations, logged.length);
      if (got.length < logged.length) trimmed = true;
      assert.deepEqual(sorted(got), sorted(newest(logged, got.length)), inst.instance_name);
    }
    // latencies: the virtual clock's — from the sender's INVOKING line to the receiver handler's
    // start as the engine recorded it; within 10 ms, because the syncer derives that start as
    // EXECUTED.time − total_s from ms-resolution times taken a moment apart
    const handlerStart = new Map(results.flatMap((r) => r.instances.map((i) => [`${r.run_id}/${i.instance}`, Date.parse(i.start)])));
    let worst = 0;
    const receiverOf = new Map(events.filter((e) => e.event === 'INVOKED' && e.taint).map((e) => [e.taint, `${e.run_id}/${e.instance}`]));
    for (let k = 0; k <= 4; k++) {
      const succ = siteTo.get(k)!;
      // (a receiver can start before the sender's line: the line is written after the publish returned)
      const truth = events.filter((e) => e.event === 'INVOKING_SUCCESSOR' && e.successor === succ).map((e) => ({ run_id: e.run_id, v: Math.max(0, (handlerStart.get(receiverOf.get(e.taint)!)! - Date.parse(e.time)) / 1000) }));
      const got = sorted(edges[succ]!.regions_to_regions[region]![region]!.samples.map(([, s]) => s));
      const want = sorted(newest(truth, got.length));
      assert.equal(got.length, want.length);
      got.forEach((g, i) => (worst = Math.max(worst, Math.abs(g - want[i]!))));
    }
    assert.ok(worst <= 0.01, `latencies differ from the virtual clock's by up to ${worst} s`);
    console.log(`      (${RUNS} runs in ${runMs} ms; sync ${report.lines} lines; summary ${report.summary.bytes} bytes; record ${Buffer.byteLength(JSON.stringify(rec))} bytes; latency error ≤ ${(worst * 1000).toFixed(1)} ms${trimmed ? ', sample lists shortened to fit' : ''}; entry samples kept ${rec.instance_summary[entry.instance_name]!.executions[region]!.samples.length})`);
  });

  it('with a constant 0.25 s network, the measured latencies are 0.25 s', async () => {
    // a second cloud whose network takes exactly 0.25 s between any two places
    const tmp2 = tempDir();
    const c2 = await openLocalCloud({ home: tmp2.dir, knobs: { seed: 4 }, inMemory: true, start: new Date('2026-11-20T00:00:00Z'), latency: () => 0.25 });
    try {
      const p = await loadWorkflowProject(example('image_processing'));
      await deployWorkflow(c2, p);
      const t0 = Date.parse('2026-11-20T01:00:00Z');
      await runMany(c2, p.config.workflow_id, Array.from({ length: 100 }, () => ({})), { at: new Date(t0), spacingS: 2 });
      c2.advanceTo(new Date(t0 + 100 * 2000 + 3_600_000));
      await syncWorkflowLogs({ tables: c2.tables, logs: c2.logs, now: () => c2.now() }, p.config.workflow_id);
      const rec = await collectWorkflow(c2.tables, p.config.workflow_id, c2.now());
      const region = p.config.home_region.region;
      const entry = p.config.instances.find((i) => i.entry_point)!;
      const lat = Object.values(rec.instance_summary[entry.instance_name]!.to_instance).flatMap((e) => e.regions_to_regions[region]![region]!.samples.map(([, s]) => s));
      lat.sort((a, b) => a - b);
      const median = lat[Math.floor(lat.length / 2)]!;
      console.log(`      (constant 0.25 s network: ${lat.length} latencies, min ${lat[0]} median ${median} max ${lat[lat.length - 1]} s)`);
      assert.equal(lat.length, 500);
      // the INVOKING line is stamped when the message is handed to messaging, so no sample is
      // shorter than the network's time (times have 1 ms resolution); the receiver's start is
      // EXECUTED.time − total_s, which can trail the delivery by the handler's own set-up, more
      // so when the machine is loaded: a looser bound above
      assert.ok(Math.abs(median - 0.25) <= 0.002, `median ${median}`);
      assert.ok(lat.every((x) => x >= 0.249 && x <= 0.3), `min ${lat[0]} max ${lat[lat.length - 1]}`);
    } finally {
      await c2.close();
      tmp2.cleanup();
    }
  });
});
