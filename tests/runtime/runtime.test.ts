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
        assert.ok(r.cloud.results.every((x) => ['executed', 'duplicate', 'busy'].includes(x.outcome)));
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
    // the log syncer pairs each INVOKED with the line of the call that sent it, by taint
    const sentTaints = new Set(events.filter((e) => e.event === 'INVOKING_SUCCESSOR' || (e.event === 'INVOKING_SYNC_NODE' && e.fired)).map((e) => e.taint));
    const invoked = events.filter((e) => e.event === 'INVOKED' && e.instance !== 'initial:entry_point:0');
    assert.equal(invoked.length, 3);
    for (const e of invoked) assert.ok(sentTaints.has(e.taint), `INVOKED ${e.instance} has a sender line`);
    // and every offset and size is a number ≥ 0
    for (const e of events) for (const [k, v] of Object.entries(e)) if (/_(s|gb)$/.test(k) && v !== null) assert.ok(typeof v === 'number' && v >= 0, `${e.event}.${k}`);
  });
});

/** A chain f0 → f1 → … → f{n-1}; f0 also feeds a join `tail` that f{n-1} feeds too. */
function chain(n: number) {
  const runs: string[] = [];
  let joined: unknown[] | undefined;
  const wf = workflow({ name: 'chain', version: '0.0.1' });
  const tail = wf.join<string>({ name: 'tail' }, async (ctx) => {
    joined = await ctx.predecessorData();
  });
  const fns: Array<{ name: string }> = [];
  for (let i = 0; i < n; i++) {
    fns.push(
      wf.fn<number>({ name: `f${i}`, entryPoint: i === 0 }, async (k, ctx) => {
        runs.push(ctx.instance);
        if (i === 0) call(ctx, tail, 'from f0', 1);
        if (i < n - 1) call(ctx, fns[i + 1] as never, (k + 1) as never, 0);
        else call(ctx, tail, 'from the end', 0);
      }),
    );
  }
  const names = Array.from({ length: n }, (_, i) => (i === 0 ? 'f0:entry_point:0' : `f${i}:f${i - 1}_${i - 1}_0:${i}`));
  const config = buildConfig('chain', [
    ...names.map((name, i) => ({
      name,
      fn: `f${i}`,
      entry: i === 0,
      sites: (i === 0 ? [[0, names[1]!], [1, 'tail:sync:99']] : i < n - 1 ? [[0, names[i + 1]!]] : [[0, 'tail:sync:99']]) as Array<[number, string]>,
    })),
    { name: 'tail:sync:99', fn: 'tail', join: true },
  ]);
  return { wf, config, runs, names, joined: () => joined };
}

async function setup(wf: ReturnType<typeof workflow>, config: ReturnType<typeof buildConfig>, plan?: (i: string) => string) {
  const cloud = new TestCloud([HOME, FAR]);
  await cloud.init();
  const rt = createRuntime(wf, config);
  const wpd = buildWpd(config, plan);
  return { cloud, rt, wpd };
}

describe('runtime: hop limit', () => {
  it(`runs at most ${HOP_LIMIT} functions in a chain, fails the run, and still resolves joins after the cut`, async () => {
    const c = chain(HOP_LIMIT + 2);
    const { cloud, rt, wpd } = await setup(c.wf, c.config);
    const { runId } = await startRun(cloud.env(HOME), wpd, c.config, 0);
    await cloud.drain(rt);
    assert.deepEqual(c.runs, c.names.slice(0, HOP_LIMIT));
    const cut = cloud.results.find((r) => r.outcome === 'hop-limit');
    assert.equal(cut?.instance, c.names[HOP_LIMIT]);
    assert.match(cut!.error!, /21 hops, more than the limit of 20/);
    const ev = cloud.events().find((e) => e.event === 'HOP_LIMIT_EXCEEDED');
    assert.equal(ev?.run_id, runId); // Caribou logged UNKNOWN here
    assert.equal(ev?.hops, HOP_LIMIT + 1);
    assert.deepEqual(c.joined(), ['from f0'], 'the join fires with the data that did arrive');
    assert.ok(await readRunFailure(cloud.tables, HOME, runId));
  });
});

describe('runtime: payloads over the SNS limit', () => {
  const big = 'x'.repeat(300 * 1024);

  it('travel by reference through package storage, to ordinary successors, joins and the entry', async () => {
    const got: Record<string, unknown> = {};
    const wf = workflow({ name: 'big', version: '0.0.1' });
    const j = wf.join<string>({ name: 'j' }, async (ctx) => {
      got.j = await ctx.predecessorData();
    });
    const b = wf.fn<{ s: string }>({ name: 'b' }, async (p, ctx) => {
      got.b = p.s.length;
      call(ctx, j, p.s + 'b', 0);
    });
    wf.fn<string>({ name: 'a', entryPoint: true }, async (p, ctx) => {
      got.a = p.length;
      call(ctx, b, { s: p }, 0);
      call(ctx, j, 'small', 1);
    });
    const config = buildConfig('big', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1'], [1, 'j:sync:2']] },
      { name: 'b:a_0_0:1', fn: 'b', sites: [[0, 'j:sync:2']] },
      { name: 'j:sync:2', fn: 'j', join: true },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config, (i) => (i.startsWith('b') ? FAR : HOME));
    await startRun(cloud.env(HOME), wpd, config, big);
    for (const m of cloud.messaging.queue) assert.equal(decodeEnvelope(m.message).payload.kind, 'ref');
    await cloud.drain(rt);
    assert.equal(got.a, big.length);
    assert.equal(got.b, big.length);
    // slot order: a's call site 1 comes before b's call site 0
    const data = got.j as string[];
    assert.equal(data.length, 2);
    assert.ok(data[0] === "small" && data[1] === big + "b", 'join data complete and in slot order');
    const inv = cloud.events().find((e) => e.event === 'INVOKING_SUCCESSOR');
    assert.equal(inv?.spilled, true);
    assert.ok(cloud.messaging.publishedCount >= 3);
    assert.ok([...cloud.packages.blobs.keys()].some((k) => k.startsWith(`${HOME}/payloads/big-0.0.1/`)));
  });
});

describe('runtime: region outage', () => {
  it('sends a hop to home when its planned region is unreachable, and says so in the logs', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, rt, wpd } = await setup(s.wf, s.config, () => FAR);
    cloud.messaging.unreachable.add(FAR);
    const started = await startRun(cloud.env(HOME), wpd, s.config, s.input);
    assert.equal(started.entryRegion, HOME);
    await cloud.drain(rt);
    assert.ok(cloud.results.length > 0 && cloud.results.every((r) => r.region === HOME));
    assert.equal(s.runs.secondSync, 1);
    const events = cloud.events();
    const down = events.filter((e) => e.event === 'REGION_UNREACHABLE');
    assert.ok(down.length >= 3);
    assert.ok(down.every((e) => e.unreachable_region === FAR && e.fallback_region === HOME));
    assert.equal(events.find((e) => e.event === 'ENTRY_POINT')?.route_reason, 'outage');
  });

  it('refuses to start a run whose placement decision leaves an instance unplaced', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, wpd } = await setup(s.wf, s.config);
    delete wpd.home_deployment['middle:initial_0_2:2'];
    await assert.rejects(startRun(cloud.env(HOME), wpd, s.config, s.input), /places no region for middle:initial_0_2:2/);
  });

  it('refuses to start when the home region itself is unreachable', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, wpd } = await setup(s.wf, s.config);
    cloud.messaging.unreachable.add(HOME);
    await assert.rejects(startRun(cloud.env(HOME), wpd, s.config, s.input), /region us-east-1 is unreachable/);
  });

  it('routes every hop by the plan chosen at the entry; an expired plan means home for every hop', async () => {
    const s = smallSync([true, true, true]);
    const cloud = new TestCloud([HOME, FAR]);
    await cloud.init();
    const wpd = buildWpd(s.config, () => FAR, '2026-11-22T00:00:00.000Z');
    const started = await startRun(cloud.env(HOME), wpd, s.config, s.input);
    assert.equal(started.route.reason, 'expired');
    await cloud.drain(createRuntime(s.wf, s.config));
    assert.ok(cloud.results.every((r) => r.region === HOME));
    assert.deepEqual(s.seen.syncFunction, [{ from: 'site0' }, { from: 'site0' }]);
  });
});

describe('runtime: user code failure', () => {
  it('logs USER_CODE_FAILURE, sends nothing it asked for, resolves joins waiting on it, marks the run failed', async () => {
    const ran: string[] = [];
    const wf = workflow({ name: 'fail', version: '0.0.1' });
    let joined: unknown[] | undefined;
    const j = wf.join<string>({ name: 'j' }, async (ctx) => {
      joined = await ctx.predecessorData();
    });
    const c = wf.fn({ name: 'c' }, async () => void ran.push('c'));
    const b = wf.fn({ name: 'b' }, async (_p, ctx) => {
      ran.push('b');
      call(ctx, c, null, 0);
      call(ctx, j, 'from b', 1);
      throw new TypeError('boom');
    });
    wf.fn({ name: 'a', entryPoint: true }, async (_p, ctx) => {
      call(ctx, b, null, 0);
      call(ctx, j, 'from a', 1);
    });
    const config = buildConfig('fail', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1'], [1, 'j:sync:3']] },
      { name: 'b:a_0_0:1', fn: 'b', sites: [[0, 'c:b_1_0:2'], [1, 'j:sync:3']] },
      { name: 'c:b_1_0:2', fn: 'c' },
      { name: 'j:sync:3', fn: 'j', join: true },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config);
    const { runId } = await startRun(cloud.env(HOME), wpd, config, {});
    await cloud.drain(rt);
    assert.deepEqual(ran, ['b']);
    assert.deepEqual(joined, ['from a']);
    const failed = cloud.results.find((r) => r.outcome === 'failed');
    assert.equal(failed?.instance, 'b:a_0_0:1');
    assert.equal(failed?.error, 'TypeError: boom');
    const ev = cloud.events().find((e) => e.event === 'USER_CODE_FAILURE');
    assert.equal(ev?.error, 'TypeError: boom');
    assert.ok(!cloud.events().some((e) => e.event === 'EXECUTED' && e.instance === 'b:a_0_0:1'));
    const f = await readRunFailure(cloud.tables, HOME, runId);
    assert.equal(f?.instance, 'b:a_0_0:1');
    assert.match(f!.error, /boom/);
  });
});

describe('runtime: payloads that are not JSON, and other clear errors', () => {
  async function oneHop(payload: () => unknown) {
    const wf = workflow({ name: 'nj', version: '0.0.1' });
    const b = wf.fn({ name: 'b' }, async () => undefined);
    wf.fn({ name: 'a', entryPoint: true }, async (_p, ctx) => call(ctx, b, payload(), 0));
    const config = buildConfig('nj', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1']] },
      { name: 'b:a_0_0:1', fn: 'b' },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config);
    await startRun(cloud.env(HOME), wpd, config, null);
    await cloud.drain(rt);
    return cloud.results;
  }

  const cases: Array<[string, () => unknown, RegExp]> = [
    ['a Date', () => ({ when: new Date(0) }), /\$\.when is a Date/],
    ['a bigint', () => [1, 2n], /\$\[1\] is a bigint/],
    ['a function', () => ({ f: () => 1 }), /\$\.f is a function/],
    ['NaN', () => ({ n: NaN }), /\$\.n is NaN/],
    ['a Map', () => new Map(), /\$ is a Map/],
    ['a circular object', () => {
      const o: Record<string, unknown> = {};
      o.self = o;
      return o;
    }, /\$\.self is a circular reference/],
  ];
  for (const [what, payload, re] of cases) {
    it(`refuses ${what} inside the function that sent it, naming the path`, async () => {
      const results = await oneHop(payload);
      const failed = results.find((r) => r.outcome === 'failed');
      assert.equal(failed?.instance, 'a:entry_point:0');
      assert.match(failed!.error!, /NotJsonError: the payload of ctx.invoke\(b\) at call site 0 of a is not JSON/);
      assert.match(failed!.error!, re);
      assert.equal(results.length, 1, 'b never ran');
    });
  }

  it('refuses a run argument that is not JSON', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, wpd } = await setup(s.wf, s.config);
    await assert.rejects(startRun(cloud.env(HOME), wpd, s.config, { at: new Date() }), /the run argument is not JSON: \$\.at is a Date/);
  });

  it('rejects a message that is not JSON, or not an envelope, with every problem and its path', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, rt } = await setup(s.wf, s.config);
    await assert.rejects(rt.handle(cloud.env(HOME), 'hello'), (e: Error) => e instanceof EnvelopeError && /message is not JSON/.test(e.message));
    await assert.rejects(rt.handle(cloud.env(HOME), JSON.stringify({ v: 1, hops: -1 })), (e: Error) => {
      assert.ok(e instanceof EnvelopeError);
      assert.match(e.message, /hops: expected a whole number of hops/);
      assert.match(e.message, /run_id: expected/);
      return true;
    });
  });

  it('says so when the source was not instrumented', async () => {
    const wf = workflow({ name: 'raw', version: '0.0.1' });
    const b = wf.fn({ name: 'b' }, async () => undefined);
    wf.fn({ name: 'a', entryPoint: true }, async (_p, ctx) => ctx.invoke(b, null));
    const config = buildConfig('raw', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1']] },
      { name: 'b:a_0_0:1', fn: 'b' },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config);
    await startRun(cloud.env(HOME), wpd, config, null);
    await cloud.drain(rt);
    assert.match(cloud.results[0]!.error!, /workflow source was not instrumented/);
  });

  it('refuses one call site running twice, and ignores (with a warning) an invoke after return', async () => {
    const wf = workflow({ name: 'loop', version: '0.0.1' });
    const b = wf.fn({ name: 'b' }, async () => undefined);
    wf.fn<number>({ name: 'a', entryPoint: true }, async (mode, ctx) => {
      if (mode === 0) for (let i = 0; i < 2; i++) call(ctx, b, i, 0);
      else setTimeout(() => call(ctx, b, 1, 0), 0);
    });
    const config = buildConfig('loop', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1']] },
      { name: 'b:a_0_0:1', fn: 'b' },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config);
    await startRun(cloud.env(HOME), wpd, config, 0);
    await cloud.drain(rt);
    assert.match(cloud.results[0]!.error!, /call site 0 of a \(calling b\) ran twice in one run/);
    await startRun(cloud.env(HOME), wpd, config, 1);
    await cloud.drain(rt);
    await new Promise((r) => setTimeout(r, 5));
    assert.ok(cloud.logs.some((l) => /^WARNING ctx.invoke\(b\) at call site 0 of a ran after the function returned and was ignored/.test(l)));
    assert.equal(cloud.messaging.queue.length, 0, 'the late call was not sent');
  });

  it('refuses a config whose join waits for a slot no call site writes', () => {
    const wf = workflow({ name: 'bad', version: '0.0.1' });
    wf.join({ name: 'j' }, async () => undefined);
    wf.fn({ name: 'a', entryPoint: true }, async () => undefined);
    const config = buildConfig('bad', [
      { name: 'a:entry_point:0', fn: 'a', entry: true },
      { name: 'j:sync:1', fn: 'j', join: true },
    ]);
    config.instances[1]!.join_slots = ['a:entry_point:0#0'];
    assert.throws(() => createRuntime(wf, config), (e: Error) => e instanceof RuntimeConfigError && /waits for slot a:entry_point:0#0, which no call site writes/.test(e.message));
  });
});

describe('runtime: payload snapshots', () => {
  it('sends a payload as it was when invoke was called, even if the function changes it afterwards', async () => {
    const got: unknown[] = [];
    const wf = workflow({ name: 'snap', version: '0.0.1' });
    const j = wf.join({ name: 'j' }, async (ctx) => void got.push(await ctx.predecessorData()));
    const b = wf.fn({ name: 'b' }, async (p) => void got.push(p));
    wf.fn({ name: 'a', entryPoint: true }, async (_p, ctx) => {
      const p = { n: 1, gone: undefined as unknown };
      call(ctx, b, p, 0);
      call(ctx, j, p, 1);
      p.n = 2;
    });
    const config = buildConfig('snap', [
      { name: 'a:entry_point:0', fn: 'a', entry: true, sites: [[0, 'b:a_0_0:1'], [1, 'j:sync:2']] },
      { name: 'b:a_0_0:1', fn: 'b' },
      { name: 'j:sync:2', fn: 'j', join: true },
    ]);
    const { cloud, rt, wpd } = await setup(wf, config);
    await startRun(cloud.env(HOME), wpd, config, null);
    await cloud.drain(rt);
    assert.equal(got.length, 2);
    for (const g of got) assert.deepEqual(g, Array.isArray(g) ? [{ n: 1 }] : { n: 1 });
  });
});

describe('runtime: duplicates', () => {
  it('a predecessor re-executed after losing its claim does not fire a join twice', async () => {
    const s = smallSync([true, true, true]);
    const { cloud, rt, wpd } = await setup(s.wf, s.config);
    const { runId } = await startRun(cloud.env(HOME), wpd, s.config, s.input);
    const entryMessage = cloud.messaging.queue[0]!;
    await cloud.drain(rt);
    // simulate a lost claim (e.g. an item deleted by hand): the entry runs again
    await cloud.tables.delete(HOME, 'sync_messages_table', `initial:entry_point:0:${runId}`);
    cloud.messaging.queue.push(entryMessage);
    await cloud.drain(rt);
    assert.equal(s.runs.initial, 2);
    assert.equal(s.runs.syncFunction, 1);
    assert.equal(s.runs.middle, 1, 'middle keeps its own claim');
    assert.equal(s.runs.secondSync, 1);
  });
});

describe('runtime: a call the runtime cannot deliver', () => {
  it('fails the run and resolves what follows, so no join downstream waits', async () => {
    const s = smallSync([true, true, false]);
    const { cloud, rt, wpd } = await setup(s.wf, s.config);
    // the first join's topic is missing: its trigger cannot be published
    cloud.messaging.broken.add(wpd.home_deployment['syncFunction:sync:1']!.topic);
    const { runId } = await startRun(cloud.env(HOME), wpd, s.config, s.input);
    await cloud.drain(rt);
    assert.equal(s.runs.syncFunction ?? 0, 0);
    assert.equal(s.runs.secondSync ?? 0, 0, 'second join resolved as not run (no data reached it)');
    const second = (await cloud.tables.get(HOME, 'sync_messages_table', `secondSync:sync:3:${runId}`)) as Record<string, unknown>;
    assert.deepEqual(second.fired && (second.fired as { data: boolean }).data, false);
    const failed = cloud.results.find((r) => r.outcome === 'failed');
    assert.match(failed!.error!, /topic .* does not exist/);
    const ev = cloud.events().find((e) => e.event === 'USER_CODE_FAILURE');
    assert.equal(ev?.origin, 'runtime');
    assert.ok(await readRunFailure(cloud.tables, HOME, runId));
  });
});
