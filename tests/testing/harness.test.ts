import { strict as assert } from 'assert';
import * as path from 'path';
import { TestWorkflowEnvironment } from '../../src/testing';

const EXAMPLE = path.resolve(__dirname, '..', '..', 'examples', 'small_sync_example');

describe('caribou-ts/testing: TestWorkflowEnvironment', function () {
  this.timeout(180000);

  it('runs a workflow in process and exposes its outputs and DAG', async () => {
    const env = await TestWorkflowEnvironment.create({ workflowDir: EXAMPLE, typecheck: false });
    try {
      assert.deepEqual(
        env.dag.map((i) => [i.function, i.entry_point, i.successors.length]),
        [
          ['initial_function', true, 3],
          ['syncFunction', false, 1],
          ['secondSyncFunction', false, 0],
        ],
      );
      assert.equal(env.dag[2].join_slots?.length, 2);
      const run = await env.run({ message: 'hi', number: 2 });
      assert.equal(run.status, 'succeeded');
      assert.deepEqual(run.skipped, []);
      const [out] = run.outputs.secondSyncFunction as Array<{ run_id: string; total: number; from: string[] }>;
      assert.equal(out.run_id, run.run_id);
      assert.equal(out.total, (2 + 4) + 6);
      assert.ok(run.instances.every((i) => i.region === 'us-east-1'));

      // a conditional call not made: the join still runs, with one slot fewer
      const neg = await env.run({ message: 'hi', number: -1 });
      assert.equal(neg.status, 'succeeded');
      assert.deepEqual((neg.outputs.secondSyncFunction[0] as { from: string[] }).from, ['syncFunction']);
    } finally {
      await env.close();
    }
  });

  it('places functions where the test says, and survives duplicate deliveries', async () => {
    const env = await TestWorkflowEnvironment.create({ workflowDir: EXAMPLE, typecheck: false, placements: { syncFunction: 'ca-central-1' }, duplicates: 0.5, seed: 7 });
    try {
      for (let k = 0; k < 3; k++) {
        const run = await env.run({ message: 'hi', number: 1 });
        assert.equal(run.status, 'succeeded', run.errors.join('\n'));
        const regions = Object.fromEntries(run.instances.map((i) => [i.instance.split('-')[2].split(':')[0], i.region]));
        assert.deepEqual(regions, { initial_function: 'us-east-1', syncFunction: 'ca-central-1', secondSyncFunction: 'us-east-1' });
        // each instance ran once however often its message arrived
        assert.equal(run.outputs.secondSyncFunction.length, 1);
        assert.equal((run.outputs.secondSyncFunction[0] as { total: number }).total, (1 + 2) + 3);
      }
    } finally {
      await env.close();
    }
  });

  it('refuses a placement of a function the workflow does not have', async () => {
    await assert.rejects(
      TestWorkflowEnvironment.create({ workflowDir: EXAMPLE, typecheck: false, placements: { nope: 'eu-west-1' } }),
      /placements names "nope", which is not a function of small_sync_example-0\.0\.1/,
    );
  });
});
