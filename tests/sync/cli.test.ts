import { strict as assert } from 'assert';
import { runCli } from '../support/cli';
import { openLocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { example } from '../local/helpers';
import { useCaribouHome } from '../support/home';

const cli = runCli;

describe('caribou log_sync and data_collect workflow (local cloud)', function () {
  this.timeout(120_000);
  const h = useCaribouHome('caribou-sync-');

  before(async () => {
    const cloud = await openLocalCloud({ home: h.home, knobs: { seed: 5 } });
    try {
      const p = await loadWorkflowProject(example('small_sync_example'));
      await deployWorkflow(cloud, p);
      // an hour ago on the virtual clock, so the lines are older than the 15-minute buffer
      await runMany(cloud, p.config.workflow_id, [{ message: 'a', number: 1 }, { message: 'b', number: 2 }, { message: 'c', number: 3 }], { at: new Date(cloud.now().getTime() - 3_600_000), spacingS: 1 });
    } finally {
      await cloud.close();
    }
  });

  it('log_sync says what it read, kept and dropped; a second sync reads nothing new; the collector writes the record', async () => {
    const first = await cli(['log_sync']);
    assert.equal(first.err, '');
    assert.match(first.out, /small_sync_example-0\.0\.1: logs .* \(\d+ functions, \d+ chunks\)/);
    assert.match(first.out, /runs {5}3 started, 3 kept, 0 still in flight/);
    assert.match(first.out, /dropped {2}none/);
    const second = await cli(['log_sync', '-w', 'small_sync_example-0.0.1', '--json']);
    const [r] = JSON.parse(second.out) as Array<{ report: { lines: number; summary: { runs: number } } }>;
    assert.equal(r!.report.lines, 0);
    assert.equal(r!.report.summary.runs, 3);
    const collected = await cli(['data_collect', 'workflow', '-w', 'small_sync_example-0.0.1']);
    assert.match(collected.out, /workflow: wrote 1 record to workflow_instance_table: small_sync_example-0\.0\.1 \(3 instance summaries\)/);
  });

  it('rejects a bad buffer and an unknown workflow clearly', async () => {
    await assert.rejects(cli(['log_sync', '--buffer-minutes', 'soon']), /--buffer-minutes: "soon" is not a number of minutes/);
    await assert.rejects(cli(['log_sync', '-w', 'nope-1.0']), /nope-1\.0 has no deployment_resources_table entry/);
  });
});
