import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as os from 'os';
import * as path from 'path';
import { scaffoldWorkflow } from '../../src/cli/commands/new_workflow';
import { withCloud } from '../../src/cloud/open';
import { followWorkflowLogs, readWorkflowLogs, type LogEntry } from '../../src/deploy/observe';
import { runCli } from '../support/cli';

const ROOT = path.resolve(__dirname, '..', '..');
const ID = 'seen_flow-0.0.1';

describe('visibility: caribou logs, status, list', function () {
  this.timeout(180000);
  let saved: string | undefined;
  let ok: string;
  let bad: string;

  before(async () => {
    saved = process.env.CARIBOU_HOME;
    const parent = await fs.mkdtemp(path.join(os.tmpdir(), 'caribou-observe-'));
    await fs.mkdir(path.join(parent, 'node_modules'));
    await fs.symlink(ROOT, path.join(parent, 'node_modules', 'caribou-ts'), 'dir');
    process.env.CARIBOU_HOME = path.join(parent, 'home');
    const dir = await scaffoldWorkflow('seen_flow', parent);
    const app = path.join(dir, 'app.ts');
    // world fails for one name, so that a failed run shows in logs and status
    const text = await fs.readFile(app, 'utf8');
    await fs.writeFile(app, text.replace("console.log(`${payload.greeting} (run ${ctx.runId})`);", "if (payload.greeting.includes('boom')) throw new Error('boom went world');\n  console.log(`${payload.greeting} (run ${ctx.runId})`);"));
    assert.equal((await runCli(['deploy', '-p', dir])).out.trim(), ID);
    ok = JSON.parse((await runCli(['run', ID, '-a', '{"name":"Caribou"}', '--json'])).out.trim().split('\n').pop()!).run_id;
    bad = JSON.parse((await runCli(['run', ID, '-a', '{"name":"boom"}', '--json'])).out.trim().split('\n').pop()!).run_id;
    process.exitCode = 0;
  });

  after(() => {
    if (saved === undefined) delete process.env.CARIBOU_HOME;
    else process.env.CARIBOU_HOME = saved;
  });

  it('logs: console output and runtime events of every function, filtered by run and by function', async () => {
    const all = (await runCli(['logs', ID, '--json'])).out.split('\n').map((l) => JSON.parse(l) as LogEntry);
    assert.ok(all.some((e) => e.kind === 'console' && e.text === `Hello, Caribou! (run ${ok})` && e.run_id === ok && e.function === 'world'), 'console line of the run');
    assert.ok(all.some((e) => e.kind === 'event' && e.event === 'INVOKED' && e.run_id === bad));
    const one = (await runCli(['logs', ID, '--run', ok, '--json'])).out.split('\n').map((l) => JSON.parse(l) as LogEntry);
    assert.ok(one.length > 0 && one.every((e) => e.run_id === ok));
    const hello = (await runCli(['logs', ID, '--function', 'hello', '--json'])).out.split('\n').map((l) => JSON.parse(l) as LogEntry);
    assert.ok(hello.length > 0 && hello.every((e) => e.function === 'hello'));
    const text = (await runCli(['logs', ID, '--run', bad])).out;
    assert.match(text, /USER_CODE_FAILURE .*boom went world/);
    await assert.rejects(runCli(['logs', ID, '--function', 'nope']), /has no function "nope"; its functions are hello, world/);
    await assert.rejects(runCli(['logs', 'other-0.0.1']), /no workflow other-0\.0\.1 is deployed/);
  });

  it('status: where it runs now, no plan yet, and the recent runs with their status', async () => {
    const s = JSON.parse((await runCli(['status', ID, '--json'])).out);
    assert.equal(s.workflow_id, ID);
    assert.deepEqual(s.current.regions, ['us-east-1']);
    assert.equal(s.current.route, 'home');
    assert.equal(s.plan, null);
    const byId = Object.fromEntries(s.recent_runs.map((r: { run_id: string; status: string }) => [r.run_id, r]));
    assert.equal(byId[ok].status, 'succeeded');
    assert.equal(byId[bad].status, 'failed');
    assert.match(byId[bad].errors.join('\n'), /boom went world/);
    const text = (await runCli(['status', ID])).out;
    assert.match(text, /runs now in us-east-1: home deployment \(no plan\)/);
    assert.match(text, new RegExp(`${bad} .* failed`));
  });

  it('list shows where each workflow runs now', async () => {
    assert.deepEqual(JSON.parse((await runCli(['list', '--json'])).out), [{ workflow_id: ID, home_region: 'us-east-1', route: 'home', regions: ['us-east-1'] }]);
    assert.equal((await runCli(['list'])).out, `${ID}  us-east-1  (home deployment)`);
  });

  it('list_timers --json', async () => {
    assert.deepEqual(JSON.parse((await runCli(['list_timers', '--json'])).out), []);
    await runCli(['setup_timer', 'log_syncer']);
    const timers = JSON.parse((await runCli(['list_timers', '--json'])).out) as Array<{ name: string; expression: string }>;
    assert.deepEqual(timers.map((t) => t.name), ['log_syncer']);
    await runCli(['remove_timer', 'log_syncer']);
  });

  it('--follow prints lines as they arrive, reopening the cloud each poll, until stopped', async () => {
    const got: LogEntry[] = [];
    const stop = new AbortController();
    let polls = 0;
    let third = '';
    await followWorkflowLogs(
      async (fn) => {
        polls++;
        if (polls === 2) third = JSON.parse((await runCli(['run', ID, '-a', '{"name":"Again"}', '--json'])).out.trim().split('\n').pop()!).run_id;
        if (polls === 3) stop.abort();
        return withCloud({ target: 'local' }, fn);
      },
      ID,
      {},
      (e) => got.push(e),
      { intervalMs: 10, signal: stop.signal },
    );
    assert.ok(got.some((e) => e.run_id === ok), 'earlier runs first');
    assert.ok(got.some((e) => e.run_id === third && e.kind === 'console'), 'then the new run');
    const keys = got.map((e) => `${e.time}|${e.function}|${e.text}`);
    assert.equal(new Set(keys).size, keys.length, 'no line twice');
    const direct = await withCloud({ target: 'local' }, (c) => readWorkflowLogs(c, ID));
    assert.equal(got.length, direct.length);
  });
});
