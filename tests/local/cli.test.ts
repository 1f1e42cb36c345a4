import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { openLocalCloud } from '../../src/cloud/local';
import { REPO, example, tempDir } from './helpers';

/** Runs the real `caribou` CLI in its own process against a state folder. */
function caribou(home: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, [path.join(REPO, 'bin', 'caribou.js'), ...args], {
    cwd: home,
    env: { ...process.env, CARIBOU_HOME: home, CARIBOU_TARGET: 'local', ...env },
    encoding: 'utf8',
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe('caribou deploy / run / list / remove, each in its own process', () => {
  let tmp: ReturnType<typeof tempDir>;
  before(() => (tmp = tempDir()));
  after(() => tmp.cleanup());

  it('share the local cloud state on disk', () => {
    const d = caribou(tmp.dir, ['deploy', '--workflow-dir', example('small_sync_example')]);
    assert.equal(d.code, 0, d.err);
    assert.equal(d.out, 'small_sync_example-0.0.1');

    const r = caribou(tmp.dir, ['run', 'small_sync_example-0.0.1', '-a', '{"message":"hi","number":2}', '--at', '2026-03-01T14:00:00Z', '--wait', '--json']);
    assert.equal(r.code, 0, r.err);
    const out = JSON.parse(r.out);
    assert.deepEqual(Object.keys(out), ['run_id', 'status', 'instances', 'time_key']);
    assert.equal(out.status, 'succeeded');
    assert.equal(out.instances.length, 3);
    for (const i of out.instances) {
      // result: what a final instance returned
      assert.deepEqual(Object.keys(i).filter((k) => k !== 'result'), ['instance', 'region', 'start', 'end', 'outcome', 'attempts']);
      assert.equal(i.outcome, 'executed');
      assert.ok(i.start >= '2026-03-01T14:00:00' && i.start < '2026-03-01T14:01:00', `virtual start time ${i.start}`);
    }

    const l = caribou(tmp.dir, ['list', '--json']);
    assert.deepEqual(JSON.parse(l.out), [{ workflow_id: 'small_sync_example-0.0.1', home_region: 'us-east-1', route: 'home', regions: ['us-east-1'] }]);
    const bad = caribou(tmp.dir, ['run', 'small_sync_example-0.0.1', '-a', '{oops']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /^error: the run argument is not valid JSON/);
    assert.doesNotMatch(bad.err, /\bat .*\.ts:\d+/, 'no stack trace');

    const rm = caribou(tmp.dir, ['remove', 'small_sync_example-0.0.1']);
    assert.equal(rm.code, 0, rm.err);
    assert.equal(caribou(tmp.dir, ['list']).out, 'no workflows are deployed (deploy one with caribou deploy)');
  });

  it('log_sync in a later process sees a run started in the virtual future: the clock never goes back', () => {
    const t = tempDir();
    try {
      assert.equal(caribou(t.dir, ['deploy', '--workflow-dir', example('small_sync_example')]).code, 0);
      const future = new Date(Date.now() + 6 * 3600_000).toISOString();
      const r = caribou(t.dir, ['run', 'small_sync_example-0.0.1', '-a', '{"message":"later"}', '--at', future, '--wait', '--json']);
      assert.equal(JSON.parse(r.out).status, 'succeeded', r.err);
      const s = caribou(t.dir, ['log_sync', '--json']);
      assert.equal(s.code, 0, s.err);
      const [res] = JSON.parse(s.out);
      assert.equal(res.report.runs.kept, 1, s.out);
      assert.equal(res.report.runs.started, 1, s.out);
    } finally {
      t.cleanup();
    }
  });

  it('a second process waits for the state lock, then says the local cloud is busy', async () => {
    const cloud = await openLocalCloud({ home: tmp.dir });
    try {
      const r = caribou(tmp.dir, ['list'], { CARIBOU_LOCAL_LOCK_WAIT_S: '0' });
      assert.equal(r.code, 1);
      assert.match(r.err, new RegExp(`local cloud at .* is busy: another caribou process \\(pid ${process.pid}\\)`));
    } finally {
      await cloud.close();
    }
    assert.equal(caribou(tmp.dir, ['list', '--json']).code, 0, 'free again once closed');
  });

  it('an unknown --target is named clearly', () => {
    const bad = caribou(tmp.dir, ['--target', 'gcp', 'list']);
    assert.equal(bad.code, 1);
    assert.match(bad.err, /unknown target "gcp"/);
  });
});
