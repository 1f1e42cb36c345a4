/**
 * Property tests of the join protocol over random DAGs (see join-cases.ts for what varies).
 * CARIBOU_PROP_RUNS sets the number of cases (default 1000), CARIBOU_PROP_SEED the seed,
 * CARIBOU_PROP_STATS=1 prints what the cases exercised.
 */
import fc from 'fast-check';
import { caseArb, check, stats } from './join-cases';

describe('runtime: join protocol (property)', function () {
  this.timeout(600_000);
  const numRuns = Number(process.env.CARIBOU_PROP_RUNS ?? 1000);
  const seed = Number(process.env.CARIBOU_PROP_SEED ?? 20261122);

  after(() => {
    if (process.env.CARIBOU_PROP_STATS) console.log(JSON.stringify(stats));
  });

  it(`joins fire exactly once iff some slot has data, with all payloads in slot order (${numRuns} random DAGs, seed ${seed})`, async () => {
    await fc.assert(fc.asyncProperty(caseArb, (c) => check(c)), { numRuns, seed });
  });
});
