import { strict as assert } from 'node:assert';
import { compileModel } from '../../src/solve/compile';
import { referenceScenario } from '../../src/solve/reference-scenario';
import { Simulator, hourData, percentileInPlace } from '../../src/solve/simulate';
import { customInput, range } from './helpers';

const KB = 1 / (1024 * 1024);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
const opts = { runs: 2000, tail: 95, seed: 12345 };

describe('solve: Monte Carlo simulator', () => {
  it("a chain's mean runtime is the sum of its mean call offsets, last duration and latencies (within 1%)", () => {
    const input = referenceScenario();
    const model = compileModel(input);
    const sim = new Simulator(model);
    const home = new Array(model.N).fill(model.homeIndex);
    const m = sim.evaluate(home, hourData(input, model, '0'), opts);
    // expected from the measured samples themselves: offsets are 0.9 × duration; latency by size bucket
    const rec = input.instance;
    assert.ok(rec);
    let expected = 0;
    model.instances.forEach((name, i) => {
      const s = rec.instance_summary[name];
      const d = mean(s.executions['us-east-1'].samples.map((x) => x.duration_s));
      expected += i < model.N - 1 ? 0.9 * d : d;
      for (const edge of Object.values(s.to_instance)) {
        const pairs = edge.regions_to_regions['us-east-1']['us-east-1'].samples;
        // a size is drawn, then a latency from that size's bucket
        expected += mean(edge.transfer_sizes_gb.map((size) => mean(pairs.filter(([z]) => z === size).map(([, l]) => l))));
      }
    });
    assert.ok(Math.abs(m.runtime.mean - expected) / expected < 0.01, `mean runtime ${m.runtime.mean}, expected ${expected}`);
  });

  it('adds the ping difference on edges between regions (the latency fallback)', () => {
    const input = customInput(
      [
        { fn: 'a', durations: [1] },
        { fn: 'b', durations: [1] },
      ],
      [{ from: 'a', to: 'b', p: 1, sizes: [KB], latencies: [0.2] }],
      4,
    );
    const model = compileModel(input);
    const sim = new Simulator(model);
    const hd = hourData(input, model, null);
    const at = (r: string) => model.regions.indexOf(r);
    const local = sim.evaluate([at('us-east-1'), at('us-east-1')], hd, opts).runtime.mean;
    assert.ok(Math.abs(local - 2.2) < 1e-9, `home runtime ${local}`);
    // scenario pings: 0.01 × (1 + |i − j|); us-east-1 is r0, eu-west-1 is r3: difference 0.03 s
    const remote = sim.evaluate([at('us-east-1'), at('eu-west-1')], hd, opts).runtime.mean;
    assert.ok(Math.abs(remote - 2.23) < 1e-9, `cross-region runtime ${remote}`);
    assert.ok(model.fallbacks.some((f) => f.includes('home→home latency + ping difference')));
  });

  it('latency: measured samples for the pair, else its best-fit line clamped, else home + ping difference', () => {
    const input = customInput(
      [
        { fn: 'a', durations: [1] },
        { fn: 'b', durations: [1] },
      ],
      [{ from: 'a', to: 'b', p: 1, sizes: [35 * KB], latencies: [0.2] }],
      4,
    );
    const edge = input.instance?.instance_summary.a.to_instance.b;
    assert.ok(edge);
    // us-east-1 → us-east-2 was measured, but only for 5 KB payloads (bucket 10 KB), never 35 KB (bucket 40 KB)
    edge.regions_to_regions['us-east-1']['us-east-2'] = {
      samples: [[5 * KB, 0.5]],
      best_fit_line: { slope_s: 1000, intercept_s: 0.1, min_latency_s: 0.35, max_latency_s: 0.65 },
    };
    const model = compileModel(input);
    const sim = new Simulator(model);
    const hd = hourData(input, model, null);
    const at = (r: string) => model.regions.indexOf(r);
    const runtime = (a: string, b: string) => sim.evaluate([at(a), at(b)], hd, opts).runtime.mean;
    // line: 1000 × 40 KB + 0.1 ≈ 0.138 s, clamped up to 0.35 s
    assert.ok(Math.abs(runtime('us-east-1', 'us-east-2') - 2.35) < 1e-9);
    // unmeasured pair: home→home 0.2 s + ping difference (r0→r2: 0.02 s)
    assert.ok(Math.abs(runtime('us-east-1', 'ca-central-1') - 2.22) < 1e-9);
    // a 5 KB payload uses the pair's own sample
    edge.transfer_sizes_gb = [5 * KB];
    edge.regions_to_regions['us-east-1']['us-east-1'].samples = [[5 * KB, 0.2]];
    const model2 = compileModel(input);
    const m2 = new Simulator(model2).evaluate([at('us-east-1'), at('us-east-2')], hourData(input, model2, null), opts);
    assert.ok(Math.abs(m2.runtime.mean - 2.5) < 1e-9);
  });

  it('an edge with probability p fires in p ± 3σ of runs', () => {
    const p = 0.3;
    const input = customInput(
      [
        { fn: 'a', durations: [1] },
        { fn: 'b', durations: [1] },
      ],
      [{ from: 'a', to: 'b', p, sizes: [KB], latencies: [0.1] }],
    );
    const model = compileModel(input);
    const sim = new Simulator(model);
    sim.evaluate([model.homeIndex, model.homeIndex], hourData(input, model, null), opts);
    const fired = sim.samples.nodeRuns[1] / opts.runs;
    const sigma = Math.sqrt((p * (1 - p)) / opts.runs);
    assert.ok(Math.abs(fired - p) <= 3 * sigma, `fired in ${fired} of runs`);
    assert.equal(sim.samples.nodeRuns[0], opts.runs);
  });

  it('reports the tail of a known distribution (uniform durations: p95 ≈ 0.95, mean ≈ 0.5)', () => {
    const input = customInput([{ fn: 'a', durations: range(1000, 0.0005, 0.001) }], []);
    const model = compileModel(input);
    const sim = new Simulator(model);
    const m = sim.evaluate([model.homeIndex], hourData(input, model, null), opts);
    assert.ok(Math.abs(m.runtime.tail - 0.95) < 0.02, `p95 ${m.runtime.tail}`);
    assert.ok(Math.abs(m.runtime.mean - 0.5) < 0.02, `mean ${m.runtime.mean}`);
    const p50 = sim.evaluate([model.homeIndex], hourData(input, model, null), { ...opts, tail: 50 });
    assert.ok(Math.abs(p50.runtime.tail - 0.5) < 0.03, `p50 ${p50.runtime.tail}`);
  });

  it('percentiles interpolate linearly like numpy', () => {
    const xs = Float64Array.from([10, 1, 9, 2, 8, 3, 7, 4, 6, 5]);
    assert.ok(Math.abs(percentileInPlace(Float64Array.from(xs), 10, 95) - 9.55) < 1e-12);
    assert.equal(percentileInPlace(Float64Array.from(xs), 10, 50), 5.5);
    assert.equal(percentileInPlace(Float64Array.from([3, 3, 3]), 3, 95), 3);
  });

  it('costs a single function by hand: execution, client SNS, placement-decision read', () => {
    const input = customInput([{ fn: 'a', durations: [2], memory: 1024 }], []);
    const model = compileModel(input);
    const sim = new Simulator(model);
    const m = sim.evaluate([model.homeIndex], hourData(input, model, null), opts);
    // 2 s × 1 GB × 1.66667e-5 + 2e-7 request; client payload 1 chunk × 0.5e-6;
    // decision (2e-6 GB ≈ 2.1 KB) read in us-west-2: 1 RRU × 0.25e-6 + egress 2e-6 GB × 0.02
    const expected = 2 * 1.66667e-5 + 2e-7 + 0.5e-6 + 0.25e-6 + 2e-6 * 0.02;
    assert.ok(Math.abs(m.cost.mean - expected) < 1e-15, `cost ${m.cost.mean}, expected ${expected}`);
    assert.ok(Math.abs(m.cost.tail - m.cost.mean) < 1e-15);
    // carbon: execution at intensity 50 (overall of r0) + client payload at 410 + decision over route (50+170)/2
    // (with 3 scenario regions the system region is the 4th: 50 + 40·3 = 170)
    const exec = ((2 * (0.00074 + 0.5 * 0.00276) * (1024 / 1769) + 2 * 0.0003725) / 3600) * 1.11 * 50;
    const carbon = exec + 1e-6 * 0.001 * 410 + 2e-6 * 0.001 * 110;
    assert.ok(Math.abs(m.carbon.mean - carbon) / carbon < 1e-9, `carbon ${m.carbon.mean}, expected ${carbon}`);
  });

  it('joins: start when the last slot is written, never run when every caller skipped, pay DynamoDB writes', () => {
    const nodes = [
      { fn: 'a', durations: [1] },
      { fn: 'b', durations: [1] },
      { fn: 'c', durations: [3] },
      { fn: 'j', durations: [1] },
    ];
    const edges = (pb: number, pc: number) => [
      { from: 'a', to: 'b', p: pb, sizes: [KB], latencies: [0.1] },
      { from: 'a', to: 'c', p: pc, sizes: [KB], latencies: [0.1] },
      { from: 'b', to: 'j', p: 1, sizes: [5 * KB], latencies: [0.1] },
      { from: 'c', to: 'j', p: 1, sizes: [5 * KB], latencies: [0.1] },
    ];
    const run = (pb: number, pc: number) => {
      const input = customInput(nodes, edges(pb, pc));
      const model = compileModel(input);
      const sim = new Simulator(model);
      const d = new Array(model.N).fill(model.homeIndex);
      const m = sim.evaluate(d, hourData(input, model, null), opts);
      return { m, runs: [...sim.samples.nodeRuns], model };
    };
    const both = run(1, 1);
    assert.deepEqual(both.model.instances, ['a', 'b', 'c', 'j']);
    assert.equal(both.model.isJoin[3], 1);
    // a (1) → c (3) → j (1), 0.1 s per hop: the join waits for the slower branch
    assert.ok(Math.abs(both.m.runtime.mean - 5.2) < 1e-9, `runtime ${both.m.runtime.mean}`);
    assert.equal(both.runs[3], opts.runs);
    // c skipped: its slot is marked when a decides (at 1 s) + 0.1 s; j starts at max(1+1+0.1+0.1, 1.1)
    const oneSkipped = run(1, 0);
    assert.equal(oneSkipped.runs[3], opts.runs);
    assert.ok(Math.abs(oneSkipped.m.runtime.mean - 3.2) < 1e-9, `runtime ${oneSkipped.m.runtime.mean}`);
    // every caller skipped: the join never runs (and still pays for the skip markers)
    const none = run(0, 0);
    assert.equal(none.runs[3], 0);
    assert.equal(none.runs[1] + none.runs[2], 0);
    // join writes: 5 KB then 10 KB on one item = 5 + 10 WRU, one 4 KB-read of 10 KB = 3 RRU, one SNS trigger
    const joinCost = 15 * 1.25e-6 + 3 * 0.25e-6 + 0.5e-6;
    const markers = 2 * 1.25e-6; // two skip markers, 1 WRU each
    const exec = (s: number) => s * 1.66667e-5 * (1769 / 1024) + 2e-7;
    const startHop = 0.5e-6 + 0.25e-6 + 2e-6 * 0.02;
    const sns = 0.5e-6; // a→b, a→c ordinary edges: one chunk each
    const expectedBoth = startHop + exec(1) + exec(1) + exec(3) + exec(1) + 2 * sns + joinCost;
    assert.ok(Math.abs(both.m.cost.mean - expectedBoth) / expectedBoth < 1e-9, `cost ${both.m.cost.mean}, expected ${expectedBoth}`);
    const expectedNone = startHop + exec(1) + markers;
    assert.ok(Math.abs(none.m.cost.mean - expectedNone) / expectedNone < 1e-9, `cost ${none.m.cost.mean}, expected ${expectedNone}`);
  });

  it('is deterministic for a seed and differs across seeds', () => {
    const input = referenceScenario();
    const model = compileModel(input);
    const sim = new Simulator(model);
    const hd = hourData(input, model, '3');
    const d = [0, 3, 5, 7, 9];
    const a = sim.evaluate(d, hd, opts);
    const b = new Simulator(model).evaluate(d, hd, opts);
    assert.deepEqual(a, b);
    const c = sim.evaluate(d, hd, { ...opts, seed: 99 });
    assert.notDeepEqual(a, c);
  });

  it('scores several hours from one simulation exactly as hour by hour', () => {
    const input = referenceScenario({ intensity: (i, h) => 50 + ((i * 97 + (h ?? 0) * 31) % 400) });
    const model = compileModel(input);
    const sim = new Simulator(model);
    const hds = ['0', '7', '13', '23'].map((h) => hourData(input, model, h));
    const d = [0, 3, 3, 7, 9];
    const together = sim.evaluateHours(d, hds, opts);
    hds.forEach((hd, k) => {
      const alone = sim.evaluate(d, hd, opts);
      assert.deepEqual(alone.cost, together[k].cost);
      assert.deepEqual(alone.runtime, together[k].runtime);
      assert.ok(Math.abs(alone.carbon.mean - together[k].carbon.mean) < 1e-15);
      assert.ok(Math.abs(alone.carbon.tail - together[k].carbon.tail) < 1e-15);
    });
    assert.notEqual(together[0].carbon.mean, together[3].carbon.mean);
  });

  it('rejects a malformed deployment with a clear message', () => {
    const input = referenceScenario({ regions: 2 });
    const model = compileModel(input);
    const sim = new Simulator(model);
    assert.throws(() => sim.evaluate([0, 1], hourData(input, model, null), opts), /places 5 instances; got 2/);
    assert.throws(() => sim.evaluate([0, 0, 0, 0, 7], hourData(input, model, null), opts), /deployment\[4\].*region id 7/);
  });
});
