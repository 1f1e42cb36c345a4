import { strict as assert } from 'assert';
import { acquireLease, migrateWorkflow, runDeploymentMigrator, type MigrationStep } from '../../src/migrate';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { DAY, assertRoutable, dispose, freshDeployment, planOf, readWpd, routedFunctions, runAndCheck, stage } from './helpers';

class Crash extends Error {
  constructor(readonly step: MigrationStep) {
    super(`injected crash after ${step.kind}`);
  }
}

const stepName = (s: MigrationStep) => ('region' in s ? `${s.kind}:${s.function_name}@${s.region}` : s.kind);

describe('migrate: fault injection', function () {
  this.timeout(120_000);

  it('a crash after any step leaves the old decision in force; a re-run converges; no run reaches a missing function', async () => {
    // the steps of a clean migration of small_sync_example to ca-central-1
    const ref = await freshDeployment();
    const plan = planOf(ref.config, DAY, ['0'], () => 'ca-central-1');
    await stage(ref.cloud, plan);
    const steps: string[] = [];
    const [clean] = await runDeploymentMigrator(ref.cloud, { afterStep: (s) => void steps.push(stepName(s)) });
    assert.equal(clean.status, 'migrated');
    const expected = (await readWpd(ref.cloud, ref.id)).current_deployment;
    await dispose(ref);
    assert.deepEqual(steps.slice(0, 1), ['leased']);
    assert.ok(steps.includes('switched') && steps.includes('verified') && steps.filter((s) => s.startsWith('deployed')).length === 3, steps.join(','));

    const start = new Date(DAY.getTime() + 3600_000);
    for (let k = 0; k < steps.length; k++) {
      const c = await freshDeployment();
      try {
        await stage(c.cloud, plan);
        let seen = 0;
        const crashed = await runDeploymentMigrator(c.cloud, {
          afterStep: (s) => {
            if (seen++ === k) throw new Crash(s);
          },
        });
        const at = `crash after ${steps[k]}`;
        // 'released' is the last step: the migration itself had finished
        if (steps[k] !== 'released') assert.equal(crashed[0].status, 'failed', at);
        const wpd = await readWpd(c.cloud, c.id);
        const switched = steps.indexOf('switched') <= k;
        assert.equal(wpd.current_deployment != null, switched, `${at}: the decision ${switched ? 'should' : 'should not'} have switched`);
        await assertRoutable(c.cloud, wpd, at);
        await runAndCheck(c.cloud, c.id, 3, start, at);
        // the re-run finishes the move (the lease was released by the failed pass)
        const [again] = await runDeploymentMigrator(c.cloud);
        assert.ok(again, `${at}: the re-run found nothing to do`);
        assert.notEqual(again.status, 'failed', `${at}: re-run failed: ${again.error}`);
        assert.notEqual(again.status, 'locked', `${at}: re-run found the lease held`);
        const final = await readWpd(c.cloud, c.id);
        assert.deepEqual(final.current_deployment, expected, `${at}: did not converge`);
        assert.equal(await c.cloud.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, c.id), undefined, `${at}: plan still staged`);
        await assertRoutable(c.cloud, final, `${at}, after the re-run`);
        const regions = await runAndCheck(c.cloud, c.id, 3, new Date(start.getTime() + 3600_000), `${at}, after the re-run`);
        assert.ok(regions.every((r) => r === 'ca-central-1'), `${at}: runs after the move ran in ${[...new Set(regions)].join(', ')}`);
      } finally {
        await dispose(c);
      }
    }
  });

  it('unused regions are removed only after the grace period, also across a crash during cleanup', async () => {
    const c = await freshDeployment();
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0', '12'], (h) => (h === '0' ? 'ca-central-1' : 'us-west-2')));
      await runDeploymentMigrator(c.cloud);
      // a new plan drops us-west-2 (it keeps ca-central-1 all day)
      const t1 = new Date(DAY.getTime() + 6 * 3600_000);
      c.cloud.advanceTo(t1);
      await stage(c.cloud, planOf(c.config, t1, ['0'], () => 'ca-central-1'));
      const [m] = await runDeploymentMigrator(c.cloud);
      assert.equal(m.status, 'migrated');
      assert.deepEqual(m.removed, []);
      assert.equal(m.retiring.length, 3, 'the three us-west-2 functions wait for runs in flight');
      assert.ok(m.retiring.every((r) => r.endsWith('@us-west-2')));
      for (const fn of await c.cloud.functions.list('us-west-2')) assert.ok(await c.cloud.functions.isLive('us-west-2', fn));
      assert.equal((await c.cloud.functions.list('us-west-2')).length, 3, 'still there during the grace period');
      // a pass within the grace period removes nothing
      assert.deepEqual((await runDeploymentMigrator(c.cloud))[0].removed, []);
      // past the grace period: the first removal crashes, the re-run finishes
      c.cloud.advanceTo(new Date(t1.getTime() + 24 * 3600_000));
      let crashed = false;
      const [r1] = await runDeploymentMigrator(c.cloud, {
        afterStep: (s) => {
          if (s.kind === 'removed' && !crashed) {
            crashed = true;
            throw new Error('crash during cleanup');
          }
        },
      });
      assert.equal(r1.status, 'failed');
      await assertRoutable(c.cloud, await readWpd(c.cloud, c.id), 'after the cleanup crash');
      const [r2] = await runDeploymentMigrator(c.cloud);
      assert.equal(r2.status, 'cleaned');
      assert.equal(r2.retiring.length, 0);
      assert.deepEqual(await c.cloud.functions.list('us-west-2'), []);
      const wpd = await readWpd(c.cloud, c.id);
      await assertRoutable(c.cloud, wpd, 'after cleanup');
      const regions = await runAndCheck(c.cloud, c.id, 4, new Date(t1.getTime() + 25 * 3600_000), 'after cleanup');
      assert.ok(regions.every((r) => r === 'ca-central-1'));
    } finally {
      await dispose(c);
    }
  });

  it("an expired plan's regions are retired too; runs go home meanwhile", async () => {
    const c = await freshDeployment();
    try {
      const plan = planOf(c.config, DAY, ['0'], () => 'ca-central-1');
      await stage(c.cloud, plan);
      await runDeploymentMigrator(c.cloud);
      // no new plan: past the expiry the decision routes home, and the next pass starts the grace period
      const expired = new Date(Date.parse(plan.expiry_time) + 60_000);
      c.cloud.advanceTo(expired);
      const [m] = await runDeploymentMigrator(c.cloud);
      assert.equal(m.retiring.length, 3);
      assert.deepEqual(m.removed, []);
      const home = await runAndCheck(c.cloud, c.id, 2, new Date(expired.getTime() + 60_000), 'after the expiry');
      assert.ok(home.every((r) => r === 'us-east-1'));
      c.cloud.advanceTo(new Date(expired.getTime() + 24 * 3600_000));
      const [r] = await runDeploymentMigrator(c.cloud);
      assert.equal(r.removed.length, 3);
      assert.deepEqual(await c.cloud.functions.list('ca-central-1'), []);
      const wpd = await readWpd(c.cloud, c.id);
      assert.equal(wpd.current_deployment, null, 'the expired plan is dropped before its functions are');
      await assertRoutable(c.cloud, wpd, 'after the cleanup');
    } finally {
      await dispose(c);
    }
  });

  it('two migrators at once never migrate the same workflow twice; a crashed holder blocks only until its lease expires', async () => {
    const c = await freshDeployment();
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0'], () => 'ca-central-1'));
      const [a, b] = await Promise.all([migrateWorkflow(c.cloud, c.id, { owner: 'a' }), migrateWorkflow(c.cloud, c.id, { owner: 'b' })]);
      assert.deepEqual([a.status, b.status].sort(), ['locked', 'migrated']);
      // a holder that died without releasing
      await stage(c.cloud, planOf(c.config, new Date(DAY.getTime() + 60_000), ['0'], () => 'us-west-2'));
      assert.ok(await acquireLease(c.cloud.tables, c.id, 'dead', c.cloud.now(), 60));
      assert.equal((await migrateWorkflow(c.cloud, c.id, { owner: 'c' })).status, 'locked');
      c.cloud.advanceTo(new Date(c.cloud.now().getTime() + 61_000));
      assert.equal((await migrateWorkflow(c.cloud, c.id, { owner: 'c' })).status, 'migrated');
      const wpd = await readWpd(c.cloud, c.id);
      assert.ok(Object.values(wpd.current_deployment!.instances['0']).every((p) => p.region === 'us-west-2'));
    } finally {
      await dispose(c);
    }
  });

  it('a live function whose topic a crashed cleanup deleted is redeployed when a new plan needs it again', async () => {
    const c = await freshDeployment();
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0'], () => 'ca-central-1'));
      assert.equal((await runDeploymentMigrator(c.cloud))[0].status, 'migrated');
      // the cleanup of an older pass deleted one topic and died before deleting its function
      const [victim] = routedFunctions(await readWpd(c.cloud, c.id)).filter((f) => f.region === 'ca-central-1');
      await c.cloud.messaging.deleteTopic('ca-central-1', victim.topic);
      assert.ok(await c.cloud.functions.isLive('ca-central-1', victim.fn));
      // a newer plan wants ca-central-1 again: the pass must rebuild the topic, not fail on every re-run
      await stage(c.cloud, planOf(c.config, new Date(DAY.getTime() + 3600_000), ['0'], () => 'ca-central-1'));
      const [m] = await runDeploymentMigrator(c.cloud);
      assert.equal(m.status, 'migrated', JSON.stringify(m));
      await assertRoutable(c.cloud, await readWpd(c.cloud, c.id), 'after the repair');
    } finally {
      await dispose(c);
    }
  });
});
