import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { compileModel } from '../../src/solve/compile';
import { Simulator, hourData } from '../../src/solve/simulate';
import { customInput } from './helpers';

const KB = 1 / (1024 * 1024);

describe('solve: simulator properties', () => {
  it('any deployment of a diamond with random probabilities scores finite, non-negative, reproducible metrics', () => {
    fc.assert(
      fc.property(
        fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 4, maxLength: 4 }),
        fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
        fc.integer({ min: 0, max: 2 ** 31 }),
        (ps, d, seed) => {
          const input = customInput(
            [
              { fn: 'a', durations: [0.5, 1, 1.5] },
              { fn: 'b', durations: [1, 2] },
              { fn: 'c', durations: [0.2] },
              { fn: 'j', durations: [0.3, 0.4] },
            ],
            [
              { from: 'a', to: 'b', p: ps[0], sizes: [KB, 30 * KB], latencies: [0.1, 0.2] },
              { from: 'a', to: 'c', p: ps[1], sizes: [KB], latencies: [0.1] },
              { from: 'b', to: 'j', p: ps[2], sizes: [100 * KB], latencies: [0.3] },
              { from: 'c', to: 'j', p: ps[3], sizes: [2 * KB], latencies: [0.1] },
            ],
            4,
          );
          const model = compileModel(input);
          const sim = new Simulator(model);
          const opts = { runs: 200, tail: 95, seed };
          const hd = hourData(input, model, '5');
          const m = sim.evaluate(d, hd, opts);
          for (const k of ['cost', 'runtime', 'carbon'] as const) {
            assert.ok(Number.isFinite(m[k].mean) && m[k].mean >= 0, `${k} mean ${m[k].mean}`);
            assert.ok(Number.isFinite(m[k].tail) && m[k].tail >= 0, `${k} tail ${m[k].tail}`);
          }
          // the entry always runs: at least its shortest duration
          assert.ok(m.runtime.mean >= 0.5 - 1e-12);
          // the join runs only when some slot fired
          if (ps[2] === 0 && ps[3] === 0) assert.equal(sim.samples.nodeRuns[3], 0);
          assert.deepEqual(new Simulator(model).evaluate(d, hd, opts), m);
        },
      ),
      { numRuns: 40, seed: 20261122 },
    );
  });

  it('with certain edges and fixed samples, the simulated runtime of any DAG is its critical path, in every run', () => {
    const dag = fc.integer({ min: 2, max: 7 }).chain((n) =>
      fc.record({
        durations: fc.array(fc.double({ min: 0.01, max: 3, noNaN: true }), { minLength: n, maxLength: n }),
        // edge i→j (i < j) with its latency; every node but the entry gets at least one predecessor
        edges: fc.tuple(
          ...Array.from({ length: n - 1 }, (_, k) =>
            fc.tuple(fc.integer({ min: 0, max: k }), fc.double({ min: 0.001, max: 0.5, noNaN: true }), fc.array(fc.tuple(fc.integer({ min: 0, max: k }), fc.double({ min: 0.001, max: 0.5, noNaN: true })), { maxLength: 2 })),
          ),
        ),
      }),
    );
    fc.assert(
      fc.property(dag, ({ durations, edges }) => {
        const n = durations.length;
        const list = new Map<string, { from: number; to: number; lat: number }>();
        edges.forEach(([first, lat, more], k) => {
          for (const [from, l] of [[first, lat] as [number, number], ...more]) if (!list.has(`${from}>${k + 1}`)) list.set(`${from}>${k + 1}`, { from, to: k + 1, lat: l });
        });
        const es = [...list.values()];
        const input = customInput(
          durations.map((d, i) => ({ fn: `n${i}`, durations: [d] })),
          es.map((e) => ({ from: `n${e.from}`, to: `n${e.to}`, p: 1, sizes: [KB], latencies: [e.lat] })),
          2,
        );
        // analytic: a node starts when its last message arrives; successors are called at its end
        const end = new Array<number>(n).fill(0);
        for (let j = 0; j < n; j++) {
          const start = Math.max(0, ...es.filter((e) => e.to === j).map((e) => end[e.from] + e.lat));
          end[j] = start + durations[j];
        }
        const model = compileModel(input);
        const m = new Simulator(model).evaluate(new Array<number>(n).fill(model.homeIndex), hourData(input, model, '0'), { runs: 50, tail: 95, seed: 1 });
        const want = Math.max(...end);
        assert.ok(Math.abs(m.runtime.mean - want) < 1e-9, `mean ${m.runtime.mean} vs critical path ${want}`);
        assert.ok(Math.abs(m.runtime.tail - want) < 1e-9, `tail ${m.runtime.tail} vs critical path ${want}`);
      }),
      { numRuns: 300, seed: 20261122 },
    );
  });
});
