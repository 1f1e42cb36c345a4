import { strict as assert } from 'assert';
import { spawn, spawnSync, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { migrateTask } from '../../src/handlers/control';
import { acquireLease, migrateWorkflow, readLease } from '../../src/migrate';
import { thisHost } from '../../src/migrate/holder';
import { ExitCode } from '../../src/model/errors';
import { MIGRATION_TABLES } from '../../src/model/migration';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { spawnCli } from '../support/cli';
import { DAY, dispose, freshDeployment, planOf, readWpd, stage } from './helpers';

const EXAMPLES = path.join(__dirname, '..', '..', 'examples');

/** A pid that existed a moment ago and is gone now. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', '0']);
  return r.pid!;
}

/** Writes the next lease claim as if `pid` on `host` held it (what a migrator that took it and died leaves). */
async function claimAs(cloud: LocalCloud, id: string, pid: number, host: string, ttlS = 16 * 60): Promise<void> {
  await cloud.tables.ensureTable(SYSTEM_REGION, MIGRATION_TABLES.lease);
  const { latest } = await readLease(cloud.tables, id, cloud.now());
  const now = cloud.now();
  const r = await cloud.tables.setFieldOnce(SYSTEM_REGION, MIGRATION_TABLES.lease, id, `claim_${latest + 1}`, {
    owner: `migrator-${pid}`,
    at: now.toISOString(),
    until: new Date(now.getTime() + ttlS * 1000).toISOString(),
    pid,
    host,
  });
  assert.ok(r.set);
}

describe('migrator lease: a holder that provably died is taken over; "not applied" is never success', function () {
  this.timeout(180_000);

  it('a claim whose process is gone (same host) is taken over at once; a live or remote holder still blocks', async () => {
    const c = await freshDeployment();
    let sleeper: ChildProcess | undefined;
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0'], () => 'ca-central-1'));
      // a live process on this host holds it: locked, and the report says who and until when
      sleeper = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 600000)'], { stdio: 'ignore' });
      await claimAs(c.cloud, c.id, sleeper.pid!, thisHost());
      const held = await migrateWorkflow(c.cloud, c.id, { owner: 'b' });
      assert.equal(held.status, 'locked');
      assert.match(held.reason ?? '', new RegExp(`held by migrator-${sleeper.pid} \\(pid ${sleeper.pid} on ${os.hostname()}\\), until `));
      // the same pid on another host proves nothing: still locked
      sleeper.kill('SIGKILL');
      await new Promise((r) => sleeper!.once('exit', r));
      await claimAs(c.cloud, c.id, sleeper.pid!, 'elsewhere|boot|pid:[1]');
      assert.equal((await migrateWorkflow(c.cloud, c.id, { owner: 'b' })).status, 'locked');
      // the holder of the latest claim died on this host: taken over without waiting 16 minutes
      await claimAs(c.cloud, c.id, deadPid(), thisHost());
      const r = await migrateWorkflow(c.cloud, c.id, { owner: 'c' });
      assert.equal(r.status, 'migrated', r.error ?? r.reason);
      assert.ok(Object.values((await readWpd(c.cloud, c.id)).current_deployment!.instances['0']).every((p) => p.region === 'ca-central-1'));
      // a claim taken by this process records who holds it
      const again = await acquireLease(c.cloud.tables, c.id, 'me', c.cloud.now());
      assert.ok(again);
      assert.deepEqual({ pid: (await readLease(c.cloud.tables, c.id, c.cloud.now())).holder?.pid }, { pid: process.pid });
    } finally {
      sleeper?.kill('SIGKILL');
      await dispose(c);
    }
  });

  it('the cycle path (the Migrate task) uses the same rule', async () => {
    const c = await freshDeployment();
    try {
      await stage(c.cloud, planOf(c.config, DAY, ['0'], () => 'us-west-2'));
      await claimAs(c.cloud, c.id, deadPid(), thisHost());
      const { workflows } = await migrateTask(c.cloud, { workflows: [c.id] });
      assert.equal(workflows[0].status, 'migrated', JSON.stringify(workflows[0]));
      assert.equal(await c.cloud.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, c.id), undefined, 'the plan is unstaged');
    } finally {
      await dispose(c);
    }
  });

  it('CLI: after a migrator is killed the rerun applies the plan (exit 0); a live holder gives exit 3 and {"applied": false}', async () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-lease-'));
    try {
      const cloud = await openLocalCloud({ home });
      const project = await loadWorkflowProject(path.join(EXAMPLES, 'small_sync_example'));
      const id = await deployWorkflow(cloud, project);
      await stage(cloud, planOf(project.config, cloud.now(), ['0'], () => 'ca-central-1'));
      await cloud.close();

      // a real migrator process, killed right after it took the lease
      const killed = spawnSync(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'killed-migrator.ts'), home, id], { encoding: 'utf8' });
      assert.equal(killed.signal, 'SIGKILL', `the migrator was not killed: ${killed.status} ${killed.stderr}`);

      // a live holder (this test process) on another claim first: nothing applied, exit 3, the plan stays staged
      const c2 = await openLocalCloud({ home });
      const before = await readLease(c2.tables, id, c2.now());
      assert.equal(before.abandoned?.pid, killed.pid, 'the killed migrator left its claim behind');
      await claimAs(c2, id, process.pid, thisHost());
      await c2.close();
      const locked = spawnCli(['run_deployment_migrator', '--json'], { env: { CARIBOU_HOME: home } });
      assert.equal(locked.code, ExitCode.NothingApplied, locked.stderr);
      const out = JSON.parse(locked.stdout.trim());
      assert.equal(out.applied, false);
      assert.match(out.reason, new RegExp(`${id}: the migration lease is held by migrator-${process.pid} \\(pid ${process.pid}`));
      assert.equal(out.workflows[0].status, 'locked');
      const human = spawnCli(['run_deployment_migrator'], { env: { CARIBOU_HOME: home } });
      assert.equal(human.code, ExitCode.NothingApplied);
      assert.match(human.stdout, /not applied \(locked\)/);

      // the holder now dies too (its claim names a pid that is gone): the rerun takes over and applies
      const c3 = await openLocalCloud({ home });
      assert.ok(await c3.tables.get(SYSTEM_REGION, TABLES.solverStagingArea, id), 'the plan is still staged');
      await claimAs(c3, id, deadPid(), thisHost());
      await c3.close();
      const ok = spawnCli(['run_deployment_migrator', '--json'], { env: { CARIBOU_HOME: home } });
      assert.equal(ok.code, ExitCode.Done, ok.stderr);
      const done = JSON.parse(ok.stdout.trim());
      assert.equal(done.applied, true);
      assert.equal(done.workflows[0].status, 'migrated');
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });
});
