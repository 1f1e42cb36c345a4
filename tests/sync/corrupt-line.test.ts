import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { openLocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { example } from '../local/helpers';
import { runCliCode } from '../support/cli';
import { useCaribouHome } from '../support/home';

const WF = 'small_sync_example-0.0.1';

/** Every local log file of the workflow's functions. */
function logFiles(home: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.jsonl') && e.name.includes('small_sync_example')) out.push(p);
    }
  };
  walk(path.join(home, 'logs'));
  return out.sort();
}

async function runs(home: string, n: number, label: string, hoursAgo = 1): Promise<void> {
  const cloud = await openLocalCloud({ home, knobs: { seed: 3 } });
  try {
    // relative to the cloud's clock; before the first sync an hour back, older than any sync buffer
    const at = new Date(cloud.now().getTime() - hoursAgo * 3_600_000);
    await runMany(cloud, WF, Array.from({ length: n }, (_, i) => ({ message: `${label}${i}`, number: i })), { at, spacingS: 1 });
  } finally {
    await cloud.close();
  }
}

describe('log_sync with a log line cut short (a writer killed mid-line)', function () {
  this.timeout(120_000);
  const h = useCaribouHome('caribou-corrupt-');

  before(async () => {
    const cloud = await openLocalCloud({ home: h.home });
    try {
      await deployWorkflow(cloud, await loadWorkflowProject(example('small_sync_example')));
    } finally {
      await cloud.close();
    }
  });

  it('skips and counts the corrupt line, names its file and line, syncs every other run, and keeps syncing later', async () => {
    await runs(h.home, 3, 'a');
    // cut the last record of the entry function's log in half, without its newline
    const file = logFiles(h.home)[0]!;
    const text = fs.readFileSync(file, 'utf8');
    const lines = text.trimEnd().split('\n');
    const cut = lines.length;
    fs.writeFileSync(file, lines.slice(0, -1).join('\n') + '\n' + lines[lines.length - 1]!.slice(0, 40));
    // later runs append to the same file
    await runs(h.home, 4, 'b');

    const first = await runCliCode(['log_sync', '--json']);
    assert.equal(first.code, 0, first.stderr + first.stdout);
    const [r] = JSON.parse(first.stdout) as Array<{ workflow_id: string; error?: string; report: { skipped: { corrupt: number }; corrupt: Array<{ where: string; problem: string }>; runs: { started: number; kept: number } } }>;
    assert.equal(r!.error, undefined, first.stdout);
    assert.equal(r!.report.skipped.corrupt, 1);
    assert.equal(r!.report.corrupt[0]!.where, `${file}:${cut}`);
    assert.match(r!.report.corrupt[0]!.problem, /not JSON .*Unterminated string/);
    // the cut record belonged to one run; the 6 others are kept, none of the later 4 lost
    assert.equal(r!.report.runs.kept, 6, first.stdout);

    const human = await runCliCode(['log_sync']);
    assert.equal(human.code, 0, human.stderr);

    await runs(h.home, 2, 'c', 0); // after the last sync's end
    const again = await runCliCode(['log_sync', '--json']);
    assert.equal(again.code, 0, again.stderr);
    const [r2] = JSON.parse(again.stdout) as Array<{ report: { skipped: { corrupt: number }; runs: { kept: number }; summary: { runs: number } } }>;
    assert.equal(r2!.report.skipped.corrupt, 0, 'the corrupt line was counted once, in the sync that read it');
    assert.equal(r2!.report.runs.kept, 2);
    assert.equal(r2!.report.summary.runs, 8);
  });

  it('a workflow that cannot be synced makes log_sync --json exit non-zero with the reason', async () => {
    // its deployment record is garbled: the workflow's state is at fault
    const cloud = await openLocalCloud({ home: h.home });
    try {
      await cloud.tables.put('us-west-2', 'deployment_resources_table', 'broken-0.0.1', { nonsense: 1 });
    } finally {
      await cloud.close();
    }
    const r = await runCliCode(['log_sync', '--json']);
    assert.equal(r.code, 1, r.stdout);
    const results = JSON.parse(r.stdout) as Array<{ workflow_id: string; error?: string }>;
    assert.match(results.find((x) => x.workflow_id === 'broken-0.0.1')!.error!, /deployment_resources_table\[broken-0\.0\.1\] is invalid/);
    assert.ok(results.some((x) => x.workflow_id === WF && !x.error), 'the other workflow still synced');
  });
});
