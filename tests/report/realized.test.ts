import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { quickstart } from '../../src/quickstart';
import { runCli } from '../support/cli';

describe('realized, not only predicted: caribou status --realized (issue 15)', function () {
  this.timeout(240_000);

  it('prices the synced runs per day against their home counterfactual, beside the prediction', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-realized-'));
    const prev = process.env.CARIBOU_HOME;
    try {
      const q = await quickstart({ dir, before: 30, after: 12, day: new Date('2026-11-20T00:00:00Z'), regions: ['us-east-1', 'us-west-1', 'us-west-2'] });
      process.env.CARIBOU_HOME = path.join(dir, 'cloud');
      await runCli(['log_sync']);
      const r = await runCli(['status', q.workflow_id, '--realized', '--runs', '0', '--json']);
      const days = JSON.parse(r.out).realized as Array<{ day: string; runs: number; moved_runs: number; carbon_change_pct: number; predicted_carbon_change_pct: number | null }>;
      const before = days.find((d) => d.day === '2026-11-20')!;
      assert.equal(before.moved_runs, 0, 'the day before the plan ran at home');
      assert.equal(before.carbon_change_pct, 0);
      assert.equal(before.predicted_carbon_change_pct, null, 'no prediction before the plan was applied');
      const after = days.filter((d) => d.day > '2026-11-20');
      assert.ok(after.length >= 1 && after.some((d) => d.moved_runs > 0), JSON.stringify(days));
      for (const d of after.filter((x) => x.moved_runs > 0)) {
        assert.ok(d.carbon_change_pct < 0, `moved runs saved carbon: ${JSON.stringify(d)}`);
        assert.ok(d.predicted_carbon_change_pct !== null && d.predicted_carbon_change_pct < 0);
      }
      const text = (await runCli(['status', q.workflow_id, '--realized', '--runs', '0'])).out;
      assert.match(text, /realized per day/);
    } finally {
      if (prev === undefined) delete process.env.CARIBOU_HOME;
      else process.env.CARIBOU_HOME = prev;
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
