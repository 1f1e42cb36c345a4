import { strict as assert } from 'node:assert';
import type { Constraints } from '../../src/model/manifest';
import { Packed, failsHard, rank, rankContext, softViolations, violates } from '../../src/solve/rank';

// [cost mean, cost tail, runtime mean, runtime tail, carbon mean, carbon tail]
const home: Packed = [1.0, 1.2, 10, 12, 100, 120];

describe('solve: ranking', () => {
  it('absolute constraints compare the value itself; relative ones a percentage of home', () => {
    assert.equal(violates(5, { type: 'absolute', value: 5 }, 1), false);
    assert.equal(violates(5.1, { type: 'absolute', value: 5 }, 1), true);
    // 110% of home 10 = 11
    assert.equal(violates(11, { type: 'relative', value: 110 }, 10), false);
    assert.equal(violates(11.5, { type: 'relative', value: 110 }, 10), true);
    assert.equal(violates(99, null, 1), false);
  });

  it('hard constraints use tails: absolute and relative', () => {
    const absolute = { runtime: { type: 'absolute' as const, value: 13 } };
    assert.equal(failsHard([1, 1, 10, 12.9, 1, 1], absolute, home), false);
    assert.equal(failsHard([1, 1, 10, 13.1, 1, 1], absolute, home), true);
    // the mean is not what counts: a low mean with a high tail fails
    assert.equal(failsHard([1, 1, 1, 13.1, 1, 1], absolute, home), true);
    const relative = { carbon: { type: 'relative' as const, value: 90 } }; // ≤ 90% of home's tail 120 = 108
    assert.equal(failsHard([1, 1, 1, 1, 50, 108], relative, home), false);
    assert.equal(failsHard([1, 1, 1, 1, 50, 109], relative, home), true);
  });

  it('soft constraints count violations on means', () => {
    const soft = { cost: { type: 'relative' as const, value: 100 }, runtime: { type: 'absolute' as const, value: 11 } };
    assert.equal(softViolations([0.9, 5, 10, 99, 0, 0], soft, home), 0);
    assert.equal(softViolations([1.1, 0, 10, 0, 0, 0], soft, home), 1);
    assert.equal(softViolations([1.1, 0, 12, 0, 0, 0], soft, home), 2);
  });

  it('ranks: hard constraints drop, then fewer soft violations, then the priority order', () => {
    const constraints: Constraints = {
      hard_resource_constraints: { runtime: { type: 'relative', value: 150 } }, // runtime tail ≤ 18
      soft_resource_constraints: { cost: { type: 'absolute', value: 1.0 } },
      priority_order: ['carbon', 'runtime', 'cost'],
    };
    const ctx = rankContext(constraints, home);
    const c = (id: string, m: Packed) => ({ id, m });
    const ranked = rank(
      [
        c('too-slow', [0.1, 0.1, 5, 19, 1, 1]), // fails the hard constraint, however green
        c('expensive-green', [2.0, 2.0, 10, 12, 10, 12]), // one soft violation
        c('cheap-grey', [0.5, 0.5, 10, 12, 90, 100]),
        c('cheap-greener', [0.9, 0.9, 11, 13, 80, 90]),
        c('cheap-greener-faster', [0.95, 0.95, 9, 13, 80, 90]), // ties carbon: runtime decides
      ],
      ctx,
    );
    assert.deepEqual(
      ranked.map((x) => x.id),
      ['cheap-greener-faster', 'cheap-greener', 'cheap-grey', 'expensive-green'],
    );
  });

  it("uses Caribou's default order (carbon, runtime, cost) when none is given", () => {
    const ctx = rankContext(null, home);
    assert.deepEqual(ctx.priority, ['carbon', 'runtime', 'cost']);
    const ranked = rank(
      [
        { id: 'b', m: [1, 1, 5, 5, 2, 2] },
        { id: 'a', m: [9, 9, 9, 9, 1, 1] },
      ],
      ctx,
    );
    assert.deepEqual(
      ranked.map((x) => x.id),
      ['a', 'b'],
    );
  });
});
