/**
 * Property tests of the join protocol over random DAGs (see join-cases.ts for what varies).
 * CARIBOU_PROP_RUNS sets the number of cases (default 1000), CARIBOU_PROP_SEED the seed,
 * CARIBOU_PROP_STATS=1 prints what the cases exercised. Cases include fault schedules (fail
 * before, fail after, kill after a call, at any store or messaging call, with Lambda's
 * retries): every run ends succeeded and correct, or failed with a reason.
 */
import { strict as assert } from 'assert';
import fc from 'fast-check';
import { caseArb, check, stats, type RunStatus } from './join-cases';

describe('runtime: join protocol (property)', function () {
  this.timeout(600_000);
  const numRuns = Number(process.env.CARIBOU_PROP_RUNS ?? 1000);
  const seed = Number(process.env.CARIBOU_PROP_SEED ?? 20261122);

  after(() => {
    if (process.env.CARIBOU_PROP_STATS) console.log(JSON.stringify(stats));
  });

  it(`joins fire exactly once iff some slot has data, with all payloads in slot order (${numRuns} random DAGs, seed ${seed})`, async () => {
    await fc.assert(fc.asyncProperty(caseArb, (c) => check(c).then(() => undefined)), { numRuns, seed });
  });

  it('with 5% of store and messaging calls failing (and 5% of invocations killed after their claim), at least 90% of runs succeed', async () => {
    const statuses: RunStatus[] = [];
    const faulty = caseArb.map((c) => ({ ...c, throws: c.throws.map(() => false), faults: { p: 0.05, schedule: [] } }));
    await fc.assert(
      fc.asyncProperty(faulty, async (c) => {
        statuses.push(await check(c));
      }),
      { numRuns: Math.min(numRuns, 300), seed },
    );
    const ok = statuses.filter((s) => s === 'succeeded').length;
    assert.ok(ok >= 0.9 * statuses.length, `${ok} of ${statuses.length} runs succeeded`);
  });
});
