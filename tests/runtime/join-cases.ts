/**
 * Random workflow runs for property tests of the join protocol: random DAGs: random joins (several call sites of
 * one predecessor into one join included), random skips, never-reached call sites, functions
 * that throw, placements across regions with an outage, duplicate deliveries, random delivery
 * order and concurrent handling, and faults: store and messaging calls that fail before taking
 * effect or after it (a lost response), invocations killed right after a call took effect,
 * each delivery retried twice as Lambda does. An oracle walks the DAG in topological order
 * and says what must run and what each join must receive. Under faults a run may end failed
 * (a delivery gave up, with its error) but never succeeded with work missing or doubled.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import type { KeyValueStore } from '../../src/cloud/ports';
import { Workflow, workflow } from '../../sdk';
import { createRuntime, readRunFailure, startRun } from '../../sdk/runtime';
import { decodeResult } from '../../src/model/decode';
import { LogEvent } from '../../src/model/log-event';
import { instanceRunKey } from '../../src/model/envelope';
import { TABLES } from '../../src/model/tables';
import { InstanceSpec, TestCloud, buildConfig, buildWpd, call, prng } from './harness';
import type { FaultKind, FaultPlan } from '../../src/cloud/local/faults';
import { executionKey } from '../../src/model/envelope';

const REGIONS = ['us-east-1', 'eu-north-1', 'ap-southeast-2'];
const HOME = REGIONS[0]!;
const PAYLOADS: unknown[] = [1, 'x', { a: 1 }, null, [1, 2], { a: 1 }, 'x'];

type Act = 'invoke' | 'skip' | 'unreached';
interface Edge {
  from: number;
  to: number;
  act: Act;
  payload: unknown;
}
export interface Case {
  joins: boolean[]; // node i is a join
  edges: Edge[]; // in site order per `from` (order of appearance)
  throws: boolean[];
  region: number[];
  plan: 'home' | 'plan' | 'expired';
  outage: number | null; // index of an unreachable non-home region
  seed: number;
  duplicates: number;
  concurrency: number;
  /** faults: call k of the run gets schedule[k] (if any), else a random fault with probability p */
  faults: { p: number; schedule: Array<FaultKind | null> } | null;
}

/** Fault schedules: mostly none, some at given calls, any kind at any store or messaging call. */
export const faultsArb: fc.Arbitrary<Case['faults']> = fc.option(
  fc.record({
    p: fc.constantFrom(0, 0.02, 0.05, 0.15),
    schedule: fc.array(fc.constantFrom<FaultKind | null>(null, null, null, null, 'before', 'after', 'kill'), { maxLength: 60 }),
  }),
  { freq: 2 },
);

export const caseArb: fc.Arbitrary<Case> = fc.integer({ min: 2, max: 10 }).chain((n) => {
  const nodes = fc.array(fc.boolean(), { minLength: n - 1, maxLength: n - 1 }).chain((joinFlags) => {
    const joins = [false, ...joinFlags.map((j) => j)];
    // incoming call sites per node: one for an ordinary node, 1..3 for a join
    const incoming = joins.map((isJoin, i) =>
      i === 0 ? fc.constant([] as number[]) : fc.array(fc.integer({ min: 0, max: i - 1 }), { minLength: 1, maxLength: isJoin ? 3 : 1 }),
    );
    return fc.tuple(fc.constant(joins), fc.tuple(...incoming));
  });
  return nodes.chain(([joins, incoming]) => {
    const raw: Array<{ from: number; to: number }> = [];
    incoming.forEach((preds, to) => preds.forEach((from) => raw.push({ from, to })));
    return fc.record({
      joins: fc.constant(joins),
      edges: fc
        .tuple(
          fc.shuffledSubarray(raw, { minLength: raw.length, maxLength: raw.length }), // site order within a function is arbitrary
          fc.array(fc.constantFrom<Act>('invoke', 'invoke', 'invoke', 'skip', 'unreached'), { minLength: raw.length, maxLength: raw.length }),
          fc.array(fc.constantFrom(...PAYLOADS), { minLength: raw.length, maxLength: raw.length }),
        )
        .map(([order, acts, payloads]) => order.map((e, k) => ({ ...e, act: acts[k]!, payload: payloads[k] }))),
      throws: fc.array(fc.oneof({ weight: 19, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }), { minLength: n, maxLength: n }),
      region: fc.array(fc.integer({ min: 0, max: REGIONS.length - 1 }), { minLength: n, maxLength: n }),
      plan: fc.constantFrom<Case['plan']>('home', 'plan', 'plan', 'expired'),
      outage: fc.option(fc.integer({ min: 1, max: REGIONS.length - 1 }), { freq: 3 }),
      seed: fc.integer(),
      duplicates: fc.constantFrom(0, 0.3, 0.7),
      concurrency: fc.integer({ min: 1, max: 4 }),
      faults: faultsArb,
    });
  });
});

const nameOf = (c: Case, i: number) => (i === 0 ? 'f0:entry_point:0' : c.joins[i] ? `f${i}:sync:${i}` : `f${i}:f_${i}:${i}`);

/** What must happen: which nodes run, and what each receives. */
function oracle(c: Case): { runs: boolean[]; received: unknown[][]; failed: boolean } {
  const n = c.joins.length;
  const runs = new Array<boolean>(n).fill(false);
  const received: unknown[][] = Array.from({ length: n }, () => []);
  runs[0] = true;
  received[0] = [{ start: true }];
  // edges are grouped by `to` in slot order: (from's instance order, site order) = buildConfig's order
  const bySlot = slotOrder(c);
  for (let i = 1; i < n; i++) {
    for (const e of bySlot.get(i) ?? []) {
      if (runs[e.from] && !c.throws[e.from] && e.act === 'invoke') received[i]!.push(e.payload ?? null);
    }
    runs[i] = received[i]!.length > 0;
  }
  const failed = runs.some((r, i) => r && c.throws[i]);
  return { runs, received, failed };
}

/** Incoming edges of each node in the join's slot order: predecessor order, then site order. */
function slotOrder(c: Case): Map<number, Edge[]> {
  const out = new Map<number, Edge[]>();
  for (let from = 0; from < c.joins.length; from++) {
    for (const e of c.edges.filter((x) => x.from === from)) out.set(e.to, [...(out.get(e.to) ?? []), e]);
  }
  return out;
}

function build(c: Case) {
  const n = c.joins.length;
  const runs = new Map<string, number>();
  const received = new Map<string, unknown[][]>();
  const wf: Workflow = workflow({ name: 'prop', version: '0.0.1' });
  const fns: Array<{ name: string }> = [];
  const sitesOf = (i: number) => c.edges.filter((e) => e.from === i);
  const body = (i: number) => async (ctx: Parameters<typeof call>[0]) => {
    sitesOf(i).forEach((e, site) => {
      if (e.act === 'invoke') call(ctx, fns[e.to] as never, e.payload as never, site);
      else if (e.act === 'skip') call(ctx, fns[e.to] as never, e.payload as never, site, { conditional: false });
    });
    if (c.throws[i]) throw new Error(`f${i} fails on purpose`);
  };
  for (let i = 0; i < n; i++) {
    const record = (inst: string, data: unknown[]) => {
      runs.set(inst, (runs.get(inst) ?? 0) + 1);
      received.set(inst, [...(received.get(inst) ?? []), data]);
    };
    if (c.joins[i]) {
      fns.push(
        wf.join({ name: `f${i}` }, async (ctx) => {
          record(ctx.instance, await ctx.predecessorData());
          await body(i)(ctx);
        }),
      );
    } else {
      fns.push(
        wf.fn({ name: `f${i}`, entryPoint: i === 0 }, async (payload, ctx) => {
          record(ctx.instance, [payload]);
          await body(i)(ctx);
        }),
      );
    }
  }
  const specs: InstanceSpec[] = [];
  for (let i = 0; i < n; i++) {
    specs.push({ name: nameOf(c, i), fn: `f${i}`, entry: i === 0, join: c.joins[i], sites: sitesOf(i).map((e, site) => [site, nameOf(c, e.to)] as [number, string]) });
  }
  const config = buildConfig('prop', specs, HOME);
  return { wf, config, runs, received };
}

/** What the cases exercised (printed with CARIBOU_PROP_STATS=1), so the figures in the report are checkable. */
export const stats = { cases: 0, faulted: 0, faultsInjected: 0, succeeded: 0, gaveUp: 0, retriedRuns: 0, joins: 0, joinsRun: 0, joinsMultiPayload: 0, joinsSkippedAll: 0, duplicateDeliveries: 0, fallbacks: 0, failedRuns: 0, handled: 0 };

/** The plan of a case's faults: the schedule for the first calls, then random ones. */
function planOf(f: NonNullable<Case['faults']>, seed: number): FaultPlan {
  const rand = prng(seed ^ 0x5eed);
  let k = 0;
  return () => {
    const scheduled = f.schedule[k++];
    if (scheduled) return scheduled;
    if (f.p > 0 && rand() < f.p) return (['before', 'after', 'kill'] as const)[Math.floor(rand() * 3)];
    return undefined;
  };
}

export type RunStatus = 'succeeded' | 'failed';

/**
 * Runs one case (over `tables`, default in-memory) and checks it against the oracle; returns
 * the run's status as the local cloud reports it (a failure marker, or a delivery given up
 * after its retries: failed, with the reason; else succeeded).
 */
export async function check(c: Case, tables?: KeyValueStore): Promise<RunStatus> {
  const { wf, config, runs, received } = build(c);
  const cloud = new TestCloud(REGIONS, tables);
  await cloud.init();
  if (c.outage !== null) cloud.messaging.unreachable.add(REGIONS[c.outage]!);
  const rt = createRuntime(wf, config);
  const regionOf = new Map(config.instances.map((inst, i) => [inst.instance_name, REGIONS[c.region[i]!]!]));
  const wpd = buildWpd(config, c.plan === 'home' ? undefined : (i) => regionOf.get(i)!, c.plan === 'expired' ? '2026-11-21T00:00:00.000Z' : undefined);
  const started = await startRun(cloud.env(HOME), wpd, config, { start: true });
  await cloud.drain(rt, { rand: prng(c.seed), duplicates: c.duplicates, concurrency: c.concurrency, ...(c.faults ? { faults: planOf(c.faults, c.seed) } : {}) });

  const want = oracle(c);
  const failure = await readRunFailure(cloud.tables, HOME, started.runId);
  // as the local cloud reports it: a delivery that exhausted its retries fails the run
  const status: RunStatus = failure || cloud.gaveUp.length > 0 ? 'failed' : 'succeeded';
  const complete = cloud.gaveUp.length === 0;
  // never a failure that did not happen: faults are retried, not reported as the user's
  if (failure) assert.ok(want.failed, `run marked failed only when a function threw: ${failure.error}`);
  if (failure) assert.ok(failure.error.length > 0, 'a failed run says why');
  if (complete) assert.equal(failure !== undefined, want.failed, `run marked failed iff a function that ran threw`);
  for (const g of cloud.gaveUp) assert.ok(g.error.length > 0, 'an incomplete run says why');
  for (let i = 0; i < c.joins.length; i++) {
    const inst = nameOf(c, i);
    const n = runs.get(inst) ?? 0;
    // work never doubled or invented: what does not run never runs; what runs sees exactly what was sent, every time
    if (!want.runs[i]) assert.equal(n, 0, `${inst} never runs`);
    for (const got of received.get(inst) ?? []) assert.deepEqual(got, want.received[i], `${inst} receives exactly what was sent, in slot order`);
    if (!complete) continue;
    // a complete run: everything that should run ran, in effect exactly once
    if (c.faults) assert.ok(n >= (want.runs[i] ? 1 : 0), `${inst} runs at least once`);
    else assert.equal(n, want.runs[i] ? 1 : 0, `${inst} runs ${want.runs[i] ? 'once' : 'never'}`);
    const joinRegion = started.route.placements[inst]!.region;
    if (want.runs[i]) {
      const regions = c.joins[i] ? [joinRegion] : REGIONS;
      let done = false;
      for (const r of regions) {
        const rec = (await cloud.tables.get(r, TABLES.syncMessages, executionKey(inst, started.runId, c.joins[i]!))) as Record<string, unknown> | undefined;
        if (rec?.done !== undefined && rec.checkpoint !== undefined) done = true;
      }
      assert.ok(done, `${inst} checkpointed and done`);
    }
    if (c.joins[i]) {
      // resolved either way: a join that does not run must not be left waiting
      const item = (await cloud.tables.get(joinRegion, TABLES.syncMessages, instanceRunKey(inst, started.runId))) as Record<string, unknown> | undefined;
      assert.ok(item && item.fired !== undefined, `join ${inst} is resolved`);
    }
  }
  for (const r of cloud.results) assert.ok(['executed', 'duplicate', 'busy', 'failed'].includes(r.outcome), r.outcome);
  for (const line of cloud.logs) {
    if (line.startsWith('WARNING')) continue;
    const ev = JSON.parse(line.slice(line.indexOf(' ') + 1));
    assert.ok(decodeResult(LogEvent, ev).ok, `log line follows the contract: ${line}`);
  }
  stats.cases++;
  stats.handled += cloud.results.length;
  stats.duplicateDeliveries += cloud.results.filter((r) => r.outcome === 'duplicate' || r.outcome === 'busy').length;
  stats.fallbacks += cloud.results.reduce((k, r) => k + r.sent.filter((s) => s.fallbackFrom).length, 0);
  if (c.faults) stats.faulted++;
  stats.faultsInjected += cloud.faults;
  if (cloud.results.some((r) => r.replayed)) stats.retriedRuns++;
  if (status === 'succeeded') stats.succeeded++;
  if (cloud.gaveUp.length > 0) stats.gaveUp++;
  if (want.failed) stats.failedRuns++;
  c.joins.forEach((j, i) => {
    if (!j) return;
    stats.joins++;
    if (want.runs[i]) stats.joinsRun++;
    else stats.joinsSkippedAll++;
    if (want.received[i]!.length > 1) stats.joinsMultiPayload++;
  });
  if (c.outage !== null) {
    const down = REGIONS[c.outage]!;
    assert.ok(cloud.results.every((r) => r.region !== down), 'nothing ran in the unreachable region');
  }
  return status;
}
