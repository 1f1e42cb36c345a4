/**
 * The simulator's speed-ups change no result: the blocked, run-innermost simulator with bucketed
 * join slots (src/solve/simulate.ts) against the run-by-run simulator with insertion-sorted
 * slots it replaced (tests/solve/reference-simulator.ts, kept as the oracle), bit for bit.
 */
import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileModel } from '../../src/solve/compile';
import { referenceScenario, mulberry32 } from '../../src/solve/reference-scenario';
import { Simulator, hourData, sortSlots } from '../../src/solve/simulate';
import { Simulator as ReferenceSimulator } from './reference-simulator';
import { customInput, type EdgeSpec, type NodeSpec } from './helpers';

const KB = 1 / (1024 * 1024);

/** Both simulators on one model, deployment, hours and options: results and per-run samples identical. */
function agree(input: ReturnType<typeof customInput>, d: number[], runs: number, seed: number, hours: Array<string | null>): void {
  const model = compileModel(input);
  const hds = hours.map((h) => hourData(input, model, h));
  const opts = { runs, tail: 95, seed };
  const fast = new Simulator(model);
  const ref = new ReferenceSimulator(model);
  assert.deepEqual(fast.evaluateHours(d, hds, opts), ref.evaluateHours(d, hds, opts));
  assert.deepEqual(fast.samples.cost.subarray(0, runs), ref.samples.cost.subarray(0, runs));
  assert.deepEqual(fast.samples.runtime.subarray(0, runs), ref.samples.runtime.subarray(0, runs));
  assert.deepEqual(fast.samples.nodeRuns, ref.samples.nodeRuns);
  // a second evaluation reuses the kept random numbers: still the same
  assert.deepEqual(fast.evaluateHours(d, hds, opts), ref.evaluateHours(d, hds, opts));
}

describe('solve: the linear simulator agrees with the old one bit for bit', () => {
  it('on random DAGs (wide joins, skips, tied arrivals), deployments, run counts and seeds', function () {
    this.timeout(600_000);
    // size 'max': fast-check otherwise keeps arrays near 10 long, below the bucketed joins (> 12 slots)
    const dag = fc.integer({ min: 2, max: 32 }).chain((n) =>
      fc.record({
        n: fc.constant(n),
        // per node after the entry: its predecessors (indices of earlier nodes; many make a wide join)
        preds: fc.tuple(...Array.from({ length: n - 1 }, (_, k) => fc.uniqueArray(fc.integer({ min: 0, max: k }), { minLength: 1, maxLength: Math.min(k + 1, 30), size: 'max' }))),
        // few distinct durations and latencies, so arrivals at a join often tie
        durations: fc.array(fc.array(fc.constantFrom(0.5, 1, 1.5), { minLength: 1, maxLength: 3 }), { minLength: n, maxLength: n }),
        p: fc.array(fc.constantFrom(0, 0.3, 0.7, 1, 1), { minLength: 400, maxLength: 400 }),
        lat: fc.array(fc.constantFrom(0.1, 0.2, 0.25), { minLength: 400, maxLength: 400 }),
        size: fc.array(fc.constantFrom(KB, 3 * KB, 700 * KB), { minLength: 400, maxLength: 400 }),
        regions: fc.integer({ min: 1, max: 4 }),
        deployment: fc.array(fc.nat(), { minLength: n, maxLength: n }),
        runs: fc.integer({ min: 1, max: 300 }),
        seed: fc.integer({ min: 0, max: 2 ** 31 }),
      }),
    );
    fc.assert(
      fc.property(dag, (g) => {
        const fn = (i: number) => `n${i}`;
        const nodes: NodeSpec[] = Array.from({ length: g.n }, (_, i) => ({ fn: fn(i), durations: g.durations[i] }));
        const edges: EdgeSpec[] = [];
        g.preds.forEach((ps, k) =>
          ps.forEach((from) => {
            const x = edges.length % 400;
            edges.push({ from: fn(from), to: fn(k + 1), p: from === 0 && ps.length === 1 ? 1 : g.p[x], sizes: [g.size[x], KB], latencies: [g.lat[x], g.lat[(x + 1) % 400]] });
          }),
        );
        const input = customInput(nodes, edges, g.regions);
        const R = compileModel(input).R;
        agree(input, g.deployment.map((r) => r % R), g.runs, g.seed, ['3', null]);
      }),
      { numRuns: 60, seed: 20261208 },
    );
  });

  it('on the 100-instance fan-out/join (98 slots) and the 5-instance reference chain, 2,000 runs', function () {
    this.timeout(600_000);
    for (const [shape, chain] of [['fanout', 100], ['chain', 5]] as const) {
      const input = referenceScenario({ shape, chain, probability: shape === 'fanout' ? 0.8 : 1 });
      const rnd = mulberry32(5);
      for (let k = 0; k < 3; k++) agree(input, Array.from({ length: chain }, () => Math.floor(rnd() * 10)), 2000, 1 + k, ['0', '13']);
    }
  });

  it('sorts join slots by arrival, stably, whatever their spread', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(0, 1, 1.5), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 200, size: 'max' }), (xs) => {
        const n = xs.length;
        const keys = Float64Array.from(xs);
        const order = new Int32Array(n);
        sortSlots(n, keys, order, Math.min(...xs), Math.max(...xs), new Int32Array(n + 1), new Int32Array(n));
        const expected = xs.map((x, k) => [x, k] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, k]) => k);
        assert.deepEqual([...order], expected);
      }),
      { numRuns: 300, seed: 7 },
    );
  });
});
