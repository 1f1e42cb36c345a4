import { strict as assert } from 'assert';
import { example } from '../local/helpers';
import { runCliCode } from '../support/cli';
import { useCaribouHome } from '../support/home';

/** Runs a command with --json; it must succeed and print exactly one JSON document. */
async function json(args: string[]): Promise<Record<string, unknown>> {
  const r = await runCliCode([...args, '--json']);
  assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
  try {
    return JSON.parse(r.stdout) as Record<string, unknown>;
  } catch {
    assert.fail(`${args.join(' ')} --json printed something that is not one JSON document:\n${r.stdout}`);
  }
}

describe('--json on the commands that set up, collect, deploy, remove and tear down', function () {
  this.timeout(180_000);
  useCaribouHome('caribou-json-');
  const WF = 'small_sync_example-0.0.1';

  it('setup_tables, data_collect, deploy, remove and teardown_framework each print one JSON document', async () => {
    const setup = await json(['setup_tables']);
    assert.equal(typeof setup.region, 'string');
    assert.ok((setup.tables as string[]).includes('deployment_resources_table'), JSON.stringify(setup));

    const collected = await json(['data_collect', 'all']);
    const reports = collected.reports as Array<{ collector: string; written: Record<string, string[]> }>;
    assert.deepEqual(reports.map((r) => r.collector).sort(), ['carbon', 'performance', 'provider']);
    assert.match(String((collected.workflow as { note: string }).note), /not collected/);
    assert.equal(typeof collected.attribution, 'string');

    assert.deepEqual(await json(['deploy', '--workflow-dir', example('small_sync_example')]), { workflow_id: WF });
    assert.deepEqual(await json(['remove', WF]), { removed: WF });

    const teardown = await json(['teardown_framework', '--yes']);
    assert.deepEqual(teardown.problems, []);
    assert.ok((teardown.tables as string[]).length > 0);
  });
});
