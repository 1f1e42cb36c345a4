import { strict as assert } from 'assert';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { traceRunFromLogs } from '../../src/deploy/run-trace';
import type { DeploymentResources } from '../../src/model/deployment-resources';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { example, fixture, tempDir } from './helpers';

describe('traceRunFromLogs (how run --wait follows a run on AWS)', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;

  before(async () => {
    tmp = tempDir();
    // duplicates and random order: the logs must still tell each run exactly once
    cloud = await openLocalCloud({ home: tmp.dir, inMemory: true, knobs: { duplicates: 0.5, reorder: true, seed: 11 } });
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  /** Checks that the logs tell each run as the engine saw it. */
  async function agree(dir: string, inputs: unknown[]): Promise<void> {
    const p = await loadWorkflowProject(dir);
    const id = await deployWorkflow(cloud, p);
    const results = await runMany(cloud, id, inputs);
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) as DeploymentResources;
    const entry = p.config.instances.find((i) => i.entry_point)!.instance_name;
    for (const r of results) {
      const t = await traceRunFromLogs(cloud, res, entry, r.run_id, 0, Number.MAX_SAFE_INTEGER);
      assert.equal(t.done, true, r.run_id);
      assert.equal(t.failed ? 'failed' : 'succeeded', r.status);
      // the same instances in the same regions; the log lines fall inside each invocation
      const key = (i: { instance: string; region: string }) => `${i.instance}@${i.region}`;
      assert.deepEqual(t.instances.map(key).sort(), r.instances.map(key).sort());
      for (const i of t.instances) {
        const e = r.instances.find((x) => x.instance === i.instance)!;
        assert.ok(i.start >= e.start && i.end! <= e.end!, `${i.instance}: logged ${i.start}–${i.end}, ran ${e.start}–${e.end}`);
      }
    }
    // a run that never started is not done
    const none = await traceRunFromLogs(cloud, res, entry, 'no-such-run', 0, Number.MAX_SAFE_INTEGER);
    assert.deepEqual(none, { done: false, failed: false, instances: [], errors: [] });
  }

  it('agrees with the engine on joins with every skip subset', async () => {
    const skips = [[], [0], [1], [2], [0, 1], [0, 2], [1, 2], [0, 1, 2]];
    await agree(fixture('sync_subsets'), skips.map((skip) => ({ skip, tag: 't' })));
  });

  it('agrees with the engine on a fan-out, and on a run whose entry throws', async () => {
    await agree(example('map_reduce'), [{}, { max_workers: 2 }, { document: 'no_such_document' }]);
  });

  it('a run whose messages are still in flight is not done', async () => {
    const p = await loadWorkflowProject(example('small_sync_example'));
    const id = await deployWorkflow(cloud, p);
    const res = (await cloud.tables.get(SYSTEM_REGION, TABLES.deploymentResources, id)) as DeploymentResources;
    const entry = p.config.instances.find((i) => i.entry_point)!.instance_name;
    const [r] = await runMany(cloud, id, [{ message: 'x', number: 1 }]);
    // only the entry's lines: as if the rest had not been delivered yet
    const entryOnly: DeploymentResources = { ...res, functions: res.functions.filter((f) => f.function_name === 'initial_function') };
    const t = await traceRunFromLogs(cloud, entryOnly, entry, r.run_id, 0, Number.MAX_SAFE_INTEGER);
    assert.equal(t.instances.length, 1);
    assert.equal(t.done, false, 'the joins it triggered have not logged');
  });
});
