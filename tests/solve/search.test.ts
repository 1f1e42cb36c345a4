import { strict as assert } from 'node:assert';
import * as t from 'io-ts';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { decodeOrThrow } from '../../src/model/decode';
import { StagedPlan } from '../../src/model/staging';
import { BatchResultCodec, CandidateBatchCodec, SolveInput, SolveStateCodec, absorbRound, evaluateBatch, finishSolve, loadSolveInput, nextRound, prepareSolve, solveWorkflow } from '../../src/solve';
import { SCENARIO_REGIONS, mulberry32, referenceScenario, writeScenarioTables } from '../../src/solve/reference-scenario';

const HOURS = ['0', '6', '12', '18'];
const fast = { runs: 300 };

/** A scenario where the best deployment mixes regions: one function is pinned to home. */
function pinnedScenario(k: number): SolveInput {
  const rnd = mulberry32(1000 + k);
  const I = Array.from({ length: 11 }, () => 50 + 450 * rnd());
  const input = referenceScenario({ seed: k, intensity: (i, h) => I[i] + (h ?? 0) });
  input.config.functions[2].allowed_regions = ['us-east-1'];
  return input;
}

/** Drives a solve round by round as CaribouCycle does: every message crosses a (simulated) Lambda boundary — JSON, then its codec. */
function driveRounds(input: SolveInput, opts: Parameters<typeof prepareSolve>[1]): { plan: ReturnType<typeof finishSolve>; rounds: number } {
  // a separate copy of the input, as a Lambda would read it from a table
  const other: SolveInput = JSON.parse(JSON.stringify(input));
  const wire = <A>(codec: t.Type<A, A, unknown>, v: A): A => decodeOrThrow(codec, JSON.parse(JSON.stringify(v)), 'message');
  let state = wire(SolveStateCodec, prepareSolve(other, opts));
  let rounds = 0;
  for (;;) {
    const r = nextRound(other, state);
    if (r.done) {
      state = r.state;
      break;
    }
    rounds++;
    const batches = r.batches.map((b) => wire(CandidateBatchCodec, b)).reverse();
    const results = batches.map((b) => wire(BatchResultCodec, evaluateBatch(JSON.parse(JSON.stringify(other)), b)));
    state = wire(SolveStateCodec, absorbRound(other, wire(SolveStateCodec, r.state), results));
  }
  return { plan: finishSolve(other, state), rounds };
}

describe('solve: search and plans', () => {
  it('the round-by-round API gives the same plan as the all-in-one (state through JSON, batches in any order)', () => {
    const input = pinnedScenario(3);
    const opts = { ...fast, hours: HOURS, algorithm: 'stochastic' as const, now: '2026-11-22T00:00:00.000Z' };
    const whole = solveWorkflow(input, opts);
    const { plan, rounds } = driveRounds(input, opts);
    assert.ok(rounds > 2);
    assert.deepEqual(plan, whole);
  });

  it('rounds survive JSON when nothing meets the hard constraints (no Infinity in the state): home is kept', () => {
    const input = pinnedScenario(4);
    input.config.constraints = { hard_resource_constraints: { cost: { type: 'absolute', value: 0 } }, priority_order: ['carbon'] };
    const opts = { ...fast, hours: ['0', '12'], algorithm: 'stochastic' as const, now: '2026-11-22T00:00:00.000Z' };
    const { plan } = driveRounds(input, opts);
    assert.deepEqual(plan, solveWorkflow(input, opts));
    for (const h of ['0', '12']) assert.deepEqual(new Set(Object.values(plan.placements[h])), new Set(['us-east-1']));
  });

  it('a plan is scored on the mean intensity of its hour slot, not on the slot\'s first hour', () => {
    // r1 is clean only at 00 UTC; r2 is fairly clean all day; home and the rest are dirty
    const input = referenceScenario({ regions: 4, intensity: (i, h) => (i === 1 ? (h === 0 ? 10 : 900) : i === 2 ? 300 : 800) });
    const plan = solveWorkflow(input, { ...fast, algorithm: 'coarse', hours: ['0', '12'] });
    assert.deepEqual(new Set(Object.values(plan.placements['0'])), new Set(['ca-central-1']), 'slot 0–11: r2, whose mean is lower');
    assert.deepEqual(new Set(Object.values(plan.placements['12'])), new Set(['ca-central-1']));
    // a slot of one hour is that hour: r1 wins 00:00–00:59
    const hourly = solveWorkflow(input, { ...fast, algorithm: 'coarse', hours: ['0', '1'] });
    assert.deepEqual(new Set(Object.values(hourly.placements['0'])), new Set(['us-east-2']));
  });

  it('simulates a deployment proposed by several hours once per round', () => {
    const input = referenceScenario();
    const r = nextRound(input, prepareSolve(input, { ...fast, algorithm: 'coarse', hours: HOURS }));
    const items = r.batches.flatMap((b) => b.items);
    // home + 9 single-region deployments, each for the 4 hours
    assert.equal(items.length, 10);
    assert.ok(items.every((it) => it.at.length === HOURS.length));
  });

  it('keeps the round state small: 24 hours well under 256 KB', () => {
    const input = referenceScenario({ chain: 8 });
    let state = prepareSolve(input, { runs: 50, hours: Array.from({ length: 24 }, (_, h) => String(h)), iterations: 2000 });
    let largest = 0;
    for (let round = 0; round < 40; round++) {
      const r = nextRound(input, state);
      largest = Math.max(largest, JSON.stringify(r.state).length, JSON.stringify(r.batches).length);
      if (r.done) break;
      state = absorbRound(input, r.state, r.batches.map((b) => evaluateBatch(input, b)));
    }
    assert.ok(largest < 128 * 1024, `largest state or batch list ${largest} bytes`);
  });

  it('writes one plan per hour key that decodes as the staging record, home metrics beside it', () => {
    const input = referenceScenario({ intensity: (i, h) => 500 - 40 * i + (h ?? 0) });
    const plan = solveWorkflow(input, { ...fast, algorithm: 'coarse', hours: ['0', '12'], now: '2026-11-22T01:00:00.000Z', expirySeconds: 3600 });
    decodeOrThrow(StagedPlan, JSON.parse(JSON.stringify(plan)), 'staged plan');
    assert.deepEqual(plan.time_keys, ['0', '12']);
    assert.equal(plan.expiry_time, '2026-11-22T02:00:00.000Z');
    // the greenest region is r9 = sa-east-1: the coarse sweep moves everything there
    for (const key of plan.time_keys) {
      assert.deepEqual(new Set(Object.values(plan.placements[key])), new Set(['sa-east-1']));
      assert.ok(plan.metrics[key].chosen.carbon.mean < plan.metrics[key].home.carbon.mean);
    }
    assert.equal(plan.evaluations, 2 * 10);
  });

  it('honours a relative hard constraint on the tail runtime, and keeps home when nothing passes', () => {
    const input = referenceScenario({ regions: 8, intensity: (i, h) => 500 - 40 * i + (h ?? 0) });
    // the entry stays home, so moving the rest to rK adds a ping difference of 0.01·K s to every run
    input.config.functions[0].allowed_regions = ['us-east-1'];
    input.config.constraints = { hard_resource_constraints: { runtime: { type: 'relative', value: 101 } }, priority_order: ['carbon'] };
    const plan = solveWorkflow(input, { ...fast, algorithm: 'fine' });
    const m = plan.metrics['0'];
    assert.ok(m.chosen.runtime.tail <= 1.01 * m.home.runtime.tail);
    // 1% of home's tail (≈6.4 s) allows 0.06 s: r6 (eu-north-1) is the greenest region in reach
    const placed = Object.values(plan.placements['0']);
    assert.deepEqual(placed, ['us-east-1', 'eu-north-1', 'eu-north-1', 'eu-north-1', 'eu-north-1']);
    input.config.constraints = { hard_resource_constraints: { cost: { type: 'absolute', value: 0 } }, priority_order: ['carbon'] };
    const none = solveWorkflow(input, { ...fast, algorithm: 'coarse' });
    assert.deepEqual(new Set(Object.values(none.placements['0'])), new Set(['us-east-1']));
    assert.ok(none.fallbacks.some((f) => f.includes('no deployment met the hard constraints')));
  });

  it('soft constraints outrank the priority order', () => {
    const input = referenceScenario({ intensity: (i, h) => 500 - 40 * i + (h ?? 0) });
    // r5…r9 compute at 1.5× the price: greener, but dearer than home
    for (const r of SCENARIO_REGIONS.slice(5)) input.provider[r].execution_cost.compute_cost.x86_64 *= 1.5;
    const free = solveWorkflow(input, { ...fast, algorithm: 'coarse' });
    assert.deepEqual(new Set(Object.values(free.placements['0'])), new Set(['sa-east-1']));
    input.config.constraints = { soft_resource_constraints: { cost: { type: 'relative', value: 100 } }, priority_order: ['carbon'] };
    const plan = solveWorkflow(input, { ...fast, algorithm: 'coarse' });
    // the greenest region whose cost stays within home's: r4 = eu-west-2
    assert.deepEqual(new Set(Object.values(plan.placements['0'])), new Set(['eu-west-2']));
    assert.ok(plan.metrics['0'].chosen.cost.mean <= plan.metrics['0'].home.cost.mean);
  });

  it('runs the algorithm the manifest names, and refuses an exhaustive search that is too large', () => {
    const input = referenceScenario({ regions: 3, chain: 3 });
    input.config.deployment_algorithm = 'fine_grained_deployment_algorithm';
    const plan = solveWorkflow(input, fast);
    assert.equal(plan.algorithm, 'fine');
    assert.equal(plan.evaluations, 1 + 27); // home + every one of 3^3 deployments
    const big = referenceScenario();
    assert.throws(() => solveWorkflow(big, { ...fast, algorithm: 'fine' }), /would score 100000 deployments per hour .* the limit is 20000/);
  });

  it('our acceptance rule finds plans at least as good as Caribou\'s on the same inputs', () => {
    let ours = 0;
    let caribou = 0;
    let losses = 0;
    for (let k = 0; k < 6; k++) {
      const input = pinnedScenario(k);
      const a = solveWorkflow(input, { ...fast, seed: 7 + k, acceptance: 'metropolis' }).metrics['0'].chosen.carbon.mean;
      const b = solveWorkflow(input, { ...fast, seed: 7 + k, acceptance: 'caribou' }).metrics['0'].chosen.carbon.mean;
      ours += a;
      caribou += b;
      if (a > b) losses++;
    }
    assert.ok(ours <= caribou, `mean carbon: ours ${ours / 6}, Caribou's rule ${caribou / 6}`);
    assert.ok(losses <= 1, `ours lost ${losses} of 6`);
  });

  it('loads the solve input from the tables', async () => {
    const input = referenceScenario({ regions: 4 });
    const kv = new MemoryKeyValueStore();
    await writeScenarioTables(kv, input);
    const loaded = await loadSolveInput(kv, input.workflow_id);
    assert.deepEqual(loaded, input);
    await assert.rejects(loadSolveInput(kv, 'nope-0.1'), /workflow nope-0.1 is not deployed/);
  });
});
