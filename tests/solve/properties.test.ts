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
});
