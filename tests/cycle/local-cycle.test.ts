import { strict as assert } from 'assert';
import { runCycle } from '../../src/cli/commands/cycle';
import { runMany } from '../../src/deploy/run';
import { readMigrationRecord } from '../../src/migrate';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { loadSolveInput } from '../../src/solve';
import { measureRun, summarize } from '../../src/quickstart/measure';
import { SAMPLE_PAYLOADS } from '../../src/quickstart';
import { DAY, assertRoutable, dispose, freshDeployment, planOf, readWpd, stage } from '../migrate/helpers';

/** The whole CaribouCycle on the local cloud, through the real ASL interpreter and handlers. */
for (const example of ['small_sync_example', 'map_reduce']) {
  describe(`cycle: CaribouCycle end to end on ${example}`, function () {
    this.timeout(180_000);

    it('changes the placement decision, migrates live functions, routes later runs there, and lowers carbon', async () => {
      const c = await freshDeployment(example);
      try {
        const payload = SAMPLE_PAYLOADS[example];
        const before = await runMany(c.cloud, c.id, Array.from({ length: 24 }, (_, i) => payload(i)), { at: new Date(DAY.getTime() + 60_000), spacingS: 3600 });
        assert.ok(before.every((r) => r.status === 'succeeded'));
        const home = await readWpd(c.cloud, c.id);
        assert.equal(home.current_deployment ?? null, null);

        const cycleAt = new Date(DAY.getTime() + 25 * 3600_000);
        c.cloud.advanceTo(cycleAt);
        const events: string[] = [];
        const out = await runCycle(c.cloud, { force: true, workflows: [c.id], solves_per_day: 6, solve: { seed: 7, runs: 500 } }, (e) => events.push(`${e.type}:${e.state ?? ''}`));
        assert.equal(out.status, 'SUCCEEDED', out.error);
        for (const s of ['Collect', 'SyncLogs', 'Decide', 'Solve', 'Prepare', 'EvaluateBatches', 'Select', 'Migrate']) assert.ok(events.includes(`StateEntered:${s}`), `no ${s}`);
        const o = out.output as { decide: { due: unknown[] }; solve: Array<{ status: string }>; migrate: { workflows: Array<{ status: string; migrated_instances: number }> } };
        // (the slot count is set: local function durations are real and tiny, so the budget alone depends on this machine's speed)
        assert.equal(o.decide.due.length, 1);
        assert.equal(o.solve[0].status, 'staged');
        assert.equal(o.migrate.workflows[0].status, 'migrated');

        // the decision changed, and everything it routes to is live
        const wpd = await readWpd(c.cloud, c.id);
        assert.ok(wpd.current_deployment, 'no current deployment after the cycle');
        const moved = Object.values(wpd.current_deployment.instances).flatMap((m) => Object.entries(m).filter(([inst, p]) => p.region !== home.home_deployment[inst].region));
        assert.ok(moved.length > 0, 'nothing moved away from home');
        await assertRoutable(c.cloud, wpd, 'after the cycle');
        assert.equal(await c.cloud.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, c.id), undefined);

        // the solver's plan beats home on carbon in every hour slot (no constraint stops it here)
        const record = await readMigrationRecord(c.cloud, c.id);
        for (const [h, m] of Object.entries(record!.applied!.metrics!)) assert.ok(m.chosen.carbon.mean < m.home.carbon.mean, `hour ${h}: ${m.chosen.carbon.mean} ≥ ${m.home.carbon.mean}`);

        // runs after the cycle go where the decision says, and emit less (measured)
        const start = new Date(cycleAt.getTime() + 600_000);
        const after = await runMany(c.cloud, c.id, Array.from({ length: 12 }, (_, i) => payload(100 + i)), { at: start, spacingS: 7200 });
        const newRegions = new Set(moved.map(([, p]) => p.region));
        let away = 0;
        for (const r of after) {
          assert.equal(r.status, 'succeeded', (r.errors ?? []).join('; '));
          for (const i of r.instances) if (newRegions.has(i.region)) away++;
        }
        assert.ok(away > 0, 'no run executed in a migrated region');
        const input = await loadSolveInput(c.cloud.tables, c.id);
        const carbon = (rs: typeof after) => summarize(rs.map((r) => measureRun(input, r)!.carbon)).mean;
        assert.ok(carbon(after) < carbon(before), `measured carbon after ${carbon(after)} ≥ before ${carbon(before)}`);
      } finally {
        await dispose(c);
      }
    });
  });
}

describe('cycle: two CaribouCycle executions at once', function () {
  this.timeout(120_000);

  it('never migrate the same workflow twice', async () => {
    const c = await freshDeployment();
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0'], () => 'ca-central-1'));
      const [a, b] = await Promise.all([runCycle(c.cloud, { workflows: [c.id] }), runCycle(c.cloud, { workflows: [c.id] })]);
      assert.equal(a.status, 'SUCCEEDED', a.error);
      assert.equal(b.status, 'SUCCEEDED', b.error);
      const reports = [a, b].flatMap((o) => (o.output as { migrate: { workflows: Array<{ status: string; deployed: string[] }> } }).migrate.workflows);
      assert.equal(reports.filter((r) => r.status === 'migrated').length, 1, JSON.stringify(reports));
      assert.equal(reports.flatMap((r) => r.deployed).length, 3, 'each function deployed to ca-central-1 once');
      await assertRoutable(c.cloud, await readWpd(c.cloud, c.id), 'after two cycles');
    } finally {
      await dispose(c);
    }
  });
});
