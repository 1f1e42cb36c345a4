import { strict as assert } from 'assert';
import { knobsFromEnv, openLocalCloud, type LocalCloud, type LocalKnobs } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject, type WorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { eventsOf, fixture, printedOf, tempDir } from './helpers';

/** Every subset of initial_function's three call sites. */
const SUBSETS: number[][] = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];

interface Part {
  from: string;
  tag: string;
}

/** What each join must receive when `skip` is skipped, in slot order; undefined: it must not run. */
function expected(skip: number[], tag: string): { sync?: Part[]; second?: Part[] } {
  const s = new Set(skip);
  const sync: Part[] = [];
  if (!s.has(0)) sync.push({ from: 'initial_function#0', tag });
  if (!s.has(1)) sync.push({ from: 'initial_function#1', tag });
  const second: Part[] = [];
  // secondSyncFunction's slots: initial_function's site 2, then syncFunction's site 0
  if (!s.has(2)) second.push({ from: 'initial_function#2', tag });
  if (sync.length > 0) second.push({ from: 'syncFunction#0', tag: sync.map((p) => p.tag).join('+') });
  return { sync: sync.length ? sync : undefined, second: second.length ? second : undefined };
}

/**
 * Runs every subset `copies` times in one batch (so the runs interleave on the virtual
 * clock) and checks each join of each run: it ran exactly once, or not at all when all its
 * slots were skipped, and received exactly the payloads that were sent, in slot order.
 */
async function checkSubsets(knobs: Partial<LocalKnobs>, copies: number): Promise<{ runs: number; invocations: number }> {
  const tmp = tempDir();
  const cloud: LocalCloud = await openLocalCloud({ home: tmp.dir, knobs, inMemory: true });
  try {
    const p: WorkflowProject = await loadWorkflowProject(fixture('sync_subsets'));
    const id = await deployWorkflow(cloud, p);
    const inputs = SUBSETS.flatMap((skip) => Array.from({ length: copies }, (_, i) => ({ skip, tag: `t${i}` })));
    const envBefore = process.env.LOG_LEVEL;
    const results = await runMany(cloud, id, inputs);
    assert.equal(process.env.LOG_LEVEL, envBefore, 'the functions\' variables are gone once they return');
    const printed = {
      sync: await printedOf(cloud, p.config, 'syncFunction'),
      second: await printedOf(cloud, p.config, 'secondSyncFunction'),
    };
    const executed = {
      sync: (await eventsOf(cloud, p.config, 'syncFunction')).filter((e) => e.event === 'EXECUTED'),
      second: (await eventsOf(cloud, p.config, 'secondSyncFunction')).filter((e) => e.event === 'EXECUTED'),
    };
    let invocations = 0;
    for (const fn of ['initial_function', 'syncFunction', 'secondSyncFunction'])
      invocations += (await eventsOf(cloud, p.config, fn)).filter((e) => e.event === 'INVOKED').length;
    results.forEach((r, i) => {
      const { skip, tag } = inputs[i];
      const what = `run ${i} (skip [${skip}])`;
      assert.equal(r.status, 'succeeded', `${what}: ${JSON.stringify(r.errors)}`);
      const exp = expected(skip, tag);
      for (const j of ['sync', 'second'] as const) {
        const ran = executed[j].filter((e) => e.run_id === r.run_id).length;
        const got = printed[j].filter((o) => o.run_id === r.run_id);
        assert.equal(ran, exp[j] ? 1 : 0, `${what}: ${j} ran ${ran} times`);
        assert.equal(got.length, exp[j] ? 1 : 0, `${what}: ${j} printed ${got.length} times`);
        if (exp[j]) assert.deepEqual(got[0].parts, exp[j], `${what}: ${j} received other payloads`);
        if (exp[j] && j === 'second' && (knobs.concurrency ?? 1) === 1) assert.equal(got[0].log_level, 'INFO', 'the function sees its environment variables');
      }
    });
    return { runs: results.length, invocations };
  } finally {
    await cloud.close();
    tmp.cleanup();
  }
}

describe('local cloud: joins of small_sync_example fire exactly once with exactly the payloads sent', () => {
  it('with every call made and with each subset of the calls skipped', async () => {
    await checkSubsets({ duplicates: 0, reorder: false, seed: 1 }, 2);
  });

  it('with CARIBOU_LOCAL_DUPLICATES=0.5 and CARIBOU_LOCAL_REORDER=1 (several seeds)', async () => {
    // one seed one delivery at a time (reproducible), one with deliveries overlapping
    for (const [seed, concurrency] of [[1, 1], [2, 8]]) {
      const { runs, invocations } = await checkSubsets({ duplicates: 0.5, reorder: true, seed, concurrency }, 3);
      assert.equal(runs, SUBSETS.length * 3);
      assert.ok(invocations > 0);
    }
  });

  it('the knobs come from the environment', async () => {
    assert.deepEqual(knobsFromEnv({ CARIBOU_LOCAL_DUPLICATES: '0.5', CARIBOU_LOCAL_REORDER: '1', CARIBOU_LOCAL_OUTAGE: 'us-west-1, eu-west-1', CARIBOU_LOCAL_SEED: '42' }), {
      duplicates: 0.5,
      reorder: true,
      outage: ['us-west-1', 'eu-west-1'],
      seed: 42,
      concurrency: 1,
      faults: 0,
    });
    assert.throws(() => knobsFromEnv({ CARIBOU_LOCAL_DUPLICATES: '2' }), /probability/);
    assert.throws(() => knobsFromEnv({ CARIBOU_LOCAL_OUTAGE: 'mars-north-1' }), /not a simulated region/);
  });
});
