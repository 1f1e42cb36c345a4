import { strict as assert } from 'assert';
import { DECIDE, commitSolve, decideWorkflow, invocationsSince, permittedRegions, populationStd, sigmoidScale, solveHours, type DecideInput } from '../../src/decide';
import type { CarbonRegionRecord } from '../../src/model/region-data';

const NOW = new Date('2026-11-22T01:00:00Z');

function carbon(region: string, overall: number, distances: Record<string, number> = {}): CarbonRegionRecord {
  return {
    region,
    averages: { overall: { carbon_intensity: overall } },
    units: 'gCO2eq/kWh',
    transmission_distances: distances,
    transmission_distances_unit: 'km',
    for_date: '2026-11-21',
    source: 'test',
    filled: [],
  };
}

const DIST = { 'us-east-1': 0, 'us-east-2': 500, 'ca-central-1': 800, 'eu-north-1': 6500 };

function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    now: NOW,
    config: {
      workflow_id: 'wf-0.0.1',
      home_region: { provider: 'aws', region: 'us-east-1' },
      instances: [1, 2, 3, 4].map((i) => ({ instance_name: `f${i}`, function_name: `f${i}`, succeeding_instances: [], preceding_instances: [], call_sites: [] })),
      deployment_algorithm: 'coarse',
    },
    summary: { daily_invocation_counts: { '2026-11-21': 300 }, workflow_runtime_samples: [2, 2, 2] },
    availableRegions: ['us-east-1', 'us-east-2', 'ca-central-1', 'eu-north-1', 'us-west-2'],
    carbon: {
      'us-east-1': carbon('us-east-1', 400, DIST),
      'us-east-2': carbon('us-east-2', 500),
      'ca-central-1': carbon('ca-central-1', 30),
      'eu-north-1': carbon('eu-north-1', 20),
      'us-west-2': carbon('us-west-2', 300),
    },
    systemRegion: 'us-west-2',
    ...over,
  };
}

describe('decide: deployment manager budget', () => {
  it('solve hours are evenly spaced numeric keys for every allowed slot count', () => {
    assert.deepEqual(solveHours(1), ['0']);
    assert.deepEqual(solveHours(3), ['0', '8', '16']);
    assert.equal(solveHours(24).length, 24);
    for (const n of DECIDE.SOLVES_PER_DAY) assert.equal(solveHours(n).length, n);
    assert.throws(() => solveHours(5), /one of/);
  });

  it('sigmoid matches Caribou (12 h at 0 tokens)', () => {
    assert.ok(Math.abs(86400 * sigmoidScale(0) - 43200) < 1e-6);
    assert.ok(Math.abs((86400 * sigmoidScale(35)) / 3600 - 24.1) < 0.1);
  });

  it('std of fewer than two values is 0, never NaN', () => {
    assert.equal(populationStd([]), 0);
    assert.equal(populationStd([5]), 0);
    assert.equal(populationStd([1, 3]), 1);
  });

  it('solves with the manifest algorithm and a slot count the budget affords', () => {
    const { decision, infoNow } = decideWorkflow(input());
    assert.equal(decision.action, 'solve', decision.reason);
    assert.equal(decision.algorithm, 'coarse');
    assert.ok(DECIDE.SOLVES_PER_DAY.includes(decision.solves_per_day as never));
    assert.equal(decision.solve_hours!.length, decision.solves_per_day);
    assert.equal(infoNow, undefined, 'a solve is committed only once staged');
    assert.ok(decision.expiry_delta_s! >= DECIDE.MIN_EXPIRY_S);
    const stoch = decideWorkflow(input({ config: { ...input().config, deployment_algorithm: 'stochastic_heuristic_deployment_algorithm' } })).decision;
    assert.equal(stoch.algorithm, 'stochastic');
  });

  it('the benefit only counts permitted regions near home', () => {
    // without ca-central-1 the only near regions are us-east-1 (400) and us-east-2 (500): std 50
    const d = decideWorkflow(input({ config: { ...input().config, disallowed_regions: ['ca-central-1'] } })).decision;
    assert.ok(Math.abs(d.tokens - 50 * 0.001 * 2 * 300) < 1e-9, String(d.tokens));
    // eu-north-1 is 6500 km away: never in the spread even though it is cleanest
    const only = decideWorkflow(input({ config: { ...input().config, allowed_regions: ['us-east-1', 'eu-north-1'] } })).decision;
    assert.equal(only.tokens, 0);
    assert.equal(only.action, 'skip');
  });

  it('never solves below 10 invocations, and keeps the bookkeeping when skipping', () => {
    const info = { workflow_id: 'wf-0.0.1', tokens_left: 3.5, last_solved: '2026-11-20T01:00:00.000Z', next_check: '2026-11-21T00:00:00.000Z' };
    const { decision, infoNow } = decideWorkflow(input({ info, summary: { daily_invocation_counts: { '2026-11-21': 9 }, workflow_runtime_samples: [100] } }));
    assert.equal(decision.action, 'skip');
    assert.match(decision.reason, /9 invocations/);
    assert.equal(infoNow!.tokens_left, 3.5);
    assert.equal(infoNow!.last_solved, info.last_solved);
    assert.ok(Date.parse(infoNow!.next_check) > NOW.getTime());
  });

  it('missing carbon data and runtime samples give a clear skip, not NaN or a crash', () => {
    const { decision } = decideWorkflow(input({ carbon: {}, summary: { daily_invocation_counts: { '2026-11-21': 50 }, workflow_runtime_samples: [] } }));
    assert.equal(decision.action, 'skip');
    assert.ok(Number.isFinite(decision.tokens) && Number.isFinite(decision.budget));
    assert.match(decision.reason, /no runtime samples/);
    // system region without data: overhead priced at the default, still a decision
    const c = { ...input().carbon };
    delete c['us-west-2'];
    const d2 = decideWorkflow(input({ carbon: c })).decision;
    assert.equal(d2.action, 'solve');
    assert.match(d2.reason, /410/);
  });

  it('respects next_check unless forced', () => {
    const info = { workflow_id: 'wf-0.0.1', tokens_left: 0, next_check: '2026-11-22T10:00:00.000Z' };
    const r = decideWorkflow(input({ info }));
    assert.equal(r.decision.action, 'skip');
    assert.equal(r.infoNow, undefined);
    assert.equal(decideWorkflow(input({ info, force: true })).decision.action, 'solve');
  });

  it('overhead is not truncated: a one-token budget no longer buys many free solves', () => {
    // 20 instances, stochastic, system at 300 g/kWh: one solve costs 20·1e-4·300 + 20·1e-4 = 0.602
    const instances = Array.from({ length: 20 }, (_, i) => ({ instance_name: `f${i}`, function_name: `f${i}`, succeeding_instances: [], preceding_instances: [], call_sites: [] }));
    const info = { workflow_id: 'wf-0.0.1', tokens_left: 1, next_check: '2026-11-21T00:00:00.000Z' };
    const d = decideWorkflow(
      input({ info, config: { ...input().config, instances, deployment_algorithm: 'stochastic' }, summary: { daily_invocation_counts: { '2026-11-21': 10 }, workflow_runtime_samples: [0] } }),
    ).decision;
    assert.equal(d.action, 'solve');
    assert.equal(d.solves_per_day, 1);
    assert.ok(d.leftover_tokens! < 1);
  });

  it('an operator may set the slot count; the 10-invocation floor still holds and the reason says both', () => {
    const poor = { daily_invocation_counts: { '2026-11-21': 10 }, workflow_runtime_samples: [0.001] };
    const auto = decideWorkflow(input({ summary: poor })).decision;
    assert.equal(auto.action, 'skip');
    const set = decideWorkflow(input({ summary: poor, solvesPerDay: 24 })).decision;
    assert.equal(set.action, 'solve');
    assert.equal(set.solve_hours!.length, 24);
    assert.match(set.reason, /set by the operator \(the budget alone affords none\)/);
    assert.ok(set.leftover_tokens! < 0, 'the overhead is still charged');
    assert.equal(decideWorkflow(input({ summary: { ...poor, daily_invocation_counts: { '2026-11-21': 9 } }, solvesPerDay: 24 })).decision.action, 'skip');
    assert.throws(() => decideWorkflow(input({ solvesPerDay: 5 })), /one of/);
  });

  it('commitSolve records the solve; invocations are counted after it', () => {
    const { decision } = decideWorkflow(input());
    const info = commitSolve(undefined, decision, NOW);
    assert.equal(info.last_solved, NOW.toISOString());
    assert.equal(info.tokens_left, decision.leftover_tokens);
    assert.equal(invocationsSince({ '2026-11-21': 5, '2026-11-22': 7, '2026-11-23': 11 }, NOW), 11);
  });

  it('permitted regions: allowed ∩ available − disallowed, with home', () => {
    assert.deepEqual(permittedRegions({ ...input().config, allowed_regions: ['us-east-2', 'mars-1'] } as never, ['us-east-2', 'us-west-2']), ['us-east-1', 'us-east-2']);
  });
});
