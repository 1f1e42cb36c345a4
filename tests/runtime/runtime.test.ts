import { strict as assert } from 'assert';
import { workflow } from '../../sdk';
import { HOP_LIMIT, createRuntime, readRunFailure, startRun, EnvelopeError, RuntimeConfigError } from '../../sdk/runtime';
import { LogEvent } from '../../src/model/log-event';
import { decodeResult } from '../../src/model/decode';
import { decodeEnvelope } from '../../src/model/envelope';
import { TestCloud, buildConfig, buildWpd, call, prng } from './harness';

const HOME = 'us-east-1';
const FAR = 'eu-north-1';

/** small_sync_example's shape: initial calls sync twice and a middle function once; sync and middle feed a second join. */
function smallSync(flags: [boolean, boolean, boolean]) {
  const seen: Record<string, unknown[]> = {};
  const runs: Record<string, number> = {};
  const count = (n: string) => (runs[n] = (runs[n] ?? 0) + 1);
  const wf = workflow({ name: 'small_sync', version: '0.0.1' });
  const second = wf.join<string>({ name: 'secondSync' }, async (ctx) => {
    count('secondSync');
    seen.secondSync = await ctx.predecessorData();
  });
  const sync = wf.join<{ from: string }>({ name: 'syncFunction' }, async (ctx) => {
    count('syncFunction');
    seen.syncFunction = await ctx.predecessorData();
    call(ctx, second, 'from sync', 0);
  });
  const middle = wf.fn<number>({ name: 'middle' }, async (n, ctx) => {
    count('middle');
    call(ctx, second, `from middle ${n}`, 0);
  });
  const initial = wf.fn<{ a: boolean; b: boolean; c: boolean }>({ name: 'initial', entryPoint: true }, async (input, ctx) => {
    count('initial');
    call(ctx, sync, { from: 'site0' }, 0, { conditional: input.a });
    call(ctx, sync, { from: 'site0' }, 1, { conditional: input.b }); // identical payload: must stay distinct
    call(ctx, middle, 7, 2, { conditional: input.c });
  });
  void initial;
  const config = buildConfig('small_sync', [
    { name: 'initial:entry_point:0', fn: 'initial', entry: true, sites: [[0, 'syncFunction:sync:1'], [1, 'syncFunction:sync:1'], [2, 'middle:initial_0_2:2']] },
    { name: 'syncFunction:sync:1', fn: 'syncFunction', join: true, sites: [[0, 'secondSync:sync:3']] },
    { name: 'middle:initial_0_2:2', fn: 'middle', sites: [[0, 'secondSync:sync:3']] },
    { name: 'secondSync:sync:3', fn: 'secondSync', join: true },
  ]);
  return { wf, config, seen, runs, input: { a: flags[0], b: flags[1], c: flags[2] } };
}

async function runSmallSync(flags: [boolean, boolean, boolean], opts: { seed?: number; duplicates?: number; concurrency?: number } = {}) {
  const s = smallSync(flags);
  const cloud = new TestCloud([HOME, FAR]);
  await cloud.init();
  const rt = createRuntime(s.wf, s.config);
  const wpd = buildWpd(s.config, (i) => (i.startsWith('syncFunction') ? FAR : HOME));
  const started = await startRun(cloud.env(HOME), wpd, s.config, s.input);
  await cloud.drain(rt, { rand: prng(opts.seed ?? 1), duplicates: opts.duplicates, concurrency: opts.concurrency });
  return { ...s, cloud, started };
}

describe('runtime: small_sync_example', () => {
  const all: Array<[boolean, boolean, boolean]> = [];
  for (let m = 0; m < 8; m++) all.push([!!(m & 1), !!(m & 2), !!(m & 4)]);
  for (const flags of all) {
    it(`flags ${flags.join(',')}: each join runs once iff some slot has data, with exactly the payloads sent`, async () => {
      for (const seed of [1, 2, 3]) {
        const r = await runSmallSync(flags, { seed, duplicates: 0.5, concurrency: 3 });
        const [a, b, c] = flags;
        assert.equal(r.runs.initial, 1);
        const syncRuns = a || b;
        assert.equal(r.runs.syncFunction ?? 0, syncRuns ? 1 : 0);
        if (syncRuns) assert.deepEqual(r.seen.syncFunction, [...(a ? [{ from: 'site0' }] : []), ...(b ? [{ from: 'site0' }] : [])]);
        assert.equal(r.runs.middle ?? 0, c ? 1 : 0);
        const secondRuns = syncRuns || c;
        assert.equal(r.runs.secondSync ?? 0, secondRuns ? 1 : 0);
        if (secondRuns) assert.deepEqual(r.seen.secondSync, [...(syncRuns ? ['from sync'] : []), ...(c ? ['from middle 7'] : [])]);
        for (const ev of r.cloud.events()) assert.ok(decodeResult(LogEvent, ev).ok, `log line decodes: ${JSON.stringify(ev)}`);
        assert.ok(r.cloud.results.every((x) => x.outcome === 'executed' || x.outcome === 'duplicate'));
      }
    });
  }

  it('routes the join to its planned region and logs the run', async () => {
    const r = await runSmallSync([true, true, true]);
    const syncRun = r.cloud.results.find((x) => x.instance === 'syncFunction:sync:1' && x.outcome === 'executed');
    assert.equal(syncRun?.region, FAR);
    const events = r.cloud.events();
    const names = events.map((e) => e.event);
    for (const n of ['ENTRY_POINT', 'INVOKED', 'INVOKING_SUCCESSOR', 'INVOKING_SYNC_NODE', 'JOIN_DATA', 'EXECUTED']) assert.ok(names.includes(n), n);
    assert.ok(events.every((e) => e.run_id === r.started.runId));
    assert.equal(r.started.route.time_key, '0');
  });
});
