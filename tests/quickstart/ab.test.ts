import { strict as assert } from 'assert';
import * as fc from 'fast-check';
import { carbonPer1000, describeChange, gramsPerMillion, meanOf, p95Of, pairedChange, warmupPairs } from '../../src/quickstart/ab';
import { mulberry32 } from '../../src/random/mulberry32';

/** n seeded noisy samples around `level`. */
function noisy(seed: number, n: number, level: number, spread: number): number[] {
  const r = mulberry32(seed);
  return Array.from({ length: n }, () => level * (1 + spread * (r() - 0.5)));
}

describe('quickstart A/B statistics (issue 15)', () => {
  it('a real 30% cut is significant and its interval contains it', () => {
    const home = noisy(1, 80, 1e-6, 0.6);
    const plan = home.map((h, i) => 0.7 * h * (1 + 0.2 * (mulberry32(100 + i)() - 0.5)));
    const c = pairedChange(home, plan, meanOf, { seed: 3 });
    assert.equal(c.significant, true);
    assert.ok(c.ci_pct[0] <= c.change_pct && c.change_pct <= c.ci_pct[1]);
    assert.ok(c.ci_pct[1] < 0 && c.change_pct < -25 && c.change_pct > -35, JSON.stringify(c));
    assert.match(describeChange(c), /^−\d+\.\d% \(95% CI −/);
  });

  it('the same distribution on both sides is (for these seeds) no significant change', () => {
    const c = pairedChange(noisy(5, 60, 2e-6, 0.8), noisy(6, 60, 2e-6, 0.8), meanOf, { seed: 3 });
    assert.equal(c.significant, false, JSON.stringify(c));
    assert.ok(c.ci_pct[0] < 0 && c.ci_pct[1] > 0);
    assert.match(describeChange(c), /^no significant change/);
  });

  it('is seeded: the same inputs give the same interval; p95 works as a statistic', () => {
    const h = noisy(7, 40, 1, 0.5);
    const p = noisy(8, 40, 1.5, 0.5);
    assert.deepEqual(pairedChange(h, p, p95Of, { seed: 9 }), pairedChange(h, p, p95Of, { seed: 9 }));
    assert.equal(pairedChange(h, p, p95Of, { seed: 9 }).significant, true);
  });

  it('the interval always contains the point estimate of a constant ratio, and identical pairs give 0', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: 1e-9, max: 1, noNaN: true }), { minLength: 2, maxLength: 30 }), fc.double({ min: 0.1, max: 3, noNaN: true }), (h, k) => {
        const c = pairedChange(h, h.map((x) => x * k), meanOf, { seed: 1, resamples: 200 });
        assert.ok(Math.abs(c.change_pct - (k - 1) * 100) < 0.11);
        const z = pairedChange(h, h, meanOf, { seed: 1, resamples: 200 });
        assert.equal(z.change_pct, 0);
        assert.equal(z.significant, false);
      }),
      { seed: 15, numRuns: 50 },
    );
  });

  it('rejects unpaired samples; warm-up is 10%, at least 2, at most half', () => {
    assert.throws(() => pairedChange([1, 2], [1]), /paired samples differ in length/);
    assert.equal(warmupPairs(240), 24);
    assert.equal(warmupPairs(10), 2);
    assert.equal(warmupPairs(3), 1);
  });

  it('carbon in units a person reads, never 2.16e-7 g', () => {
    assert.equal(carbonPer1000(2.16e-7), '216 µg CO2e per 1,000 runs');
    assert.equal(carbonPer1000(2.41e-6), '2.41 mg CO2e per 1,000 runs');
    assert.equal(carbonPer1000(0.004), '4 g CO2e per 1,000 runs');
    assert.equal(gramsPerMillion(2.16e-7), '0.216 g CO2e per million runs');
  });
});
