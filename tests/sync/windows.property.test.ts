import { strict as assert } from 'assert';
import fc from 'fast-check';
import { readSummary, syncWorkflowLogs } from '../../src/sync';
import { MemoryLogs, WF, makeRuns, tablesWithWorkflow } from './fixtures';

const T0 = Date.parse('2026-11-20T00:00:00.000Z');
const BUFFER = 15 * 60_000;

/**
 * Whatever the sync times (and however many), the summary ends the same as one sync at the end:
 * no line read twice, none missed, runs straddling any window end completed later.
 */
describe('log sync: property — syncing in pieces equals syncing once', () => {
  const runs = makeRuns(31, 60, T0, 45_000); // 45 minutes of runs, 12–13 lines each
  const logs = new MemoryLogs();
  logs.addRuns(runs);
  const end = T0 + 3 * 3_600_000;
  let once: Awaited<ReturnType<typeof readSummary>>;

  before(async () => {
    const tables = await tablesWithWorkflow();
    await syncWorkflowLogs({ tables, logs, now: () => end + BUFFER }, WF, { chunkMs: 3_600_000 });
    once = await readSummary(tables, WF);
    assert.equal(once!.runs.length, 60);
  });

  it('holds for random sync times, including ones landing on a line\'s exact timestamp', async () => {
    const lineTimes = runs.flatMap((r) => r.lines.map((l) => l.line.time));
    const cut = fc.oneof(fc.integer({ min: T0 - 60_000, max: T0 + 50 * 60_000 }), fc.constantFrom(...lineTimes));
    await fc.assert(
      fc.asyncProperty(fc.array(cut, { minLength: 1, maxLength: 6 }), async (cuts) => {
        const tables = await tablesWithWorkflow();
        let lines = 0;
        for (const c of [...cuts].sort((a, b) => a - b)) lines += (await syncWorkflowLogs({ tables, logs, now: () => c + BUFFER }, WF, { chunkMs: 3_600_000 })).lines;
        lines += (await syncWorkflowLogs({ tables, logs, now: () => end + BUFFER }, WF, { chunkMs: 3_600_000 })).lines;
        const got = (await readSummary(tables, WF))!;
        assert.equal(lines, lineTimes.length);
        assert.deepEqual(got.runs, once!.runs);
        assert.deepEqual(got.daily_invocation_counts, once!.daily_invocation_counts);
        assert.deepEqual(got.pending, []);
      }),
      { numRuns: 40, seed: 20261122 },
    );
  });
});
