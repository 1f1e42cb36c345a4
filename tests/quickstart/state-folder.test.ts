import { strict as assert } from 'assert';
import { spawn, type ChildProcess } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { quickstart } from '../../src/quickstart';
import { QUICKSTART_MARKER } from '../../src/quickstart/state-folder';
import { ExitCode } from '../../src/model/errors';
import { runCliCode, spawnCli } from '../support/cli';

/** Every file under `dir` with its content: what "nothing was touched" compares. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out[path.relative(dir, p)] = fs.readFileSync(p, 'utf8');
    }
  };
  walk(dir);
  return out;
}

function tmp(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-qsdir-'));
}

/** A user's project: what `--dir .` must never delete. */
function project(dir: string): void {
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"mine"}\n');
  fs.mkdirSync(path.join(dir, 'src'));
  fs.writeFileSync(path.join(dir, 'src', 'app.ts'), 'export const x = 1;\n');
}

describe('quickstart --dir deletes only what it created', function () {
  this.timeout(240_000);
  const made: string[] = [];
  afterEach(() => {
    for (const d of made.splice(0)) fs.rmSync(d, { recursive: true, force: true });
  });
  const dir = () => {
    const d = tmp();
    made.push(d);
    return d;
  };

  it('--dir . on a project: refused with a worded error, exit 1, nothing touched', () => {
    const d = dir();
    project(d);
    const before = snapshot(d);
    const r = spawnCli(['quickstart', '--dir', '.', '--runs', '10'], { cwd: d, env: { CARIBOU_HOME: '' } });
    assert.equal(r.code, ExitCode.UserInput, r.stderr);
    assert.match(r.stderr, /^error: --dir .* is not empty and was not created by caribou quickstart \(it has no \.caribou-quickstart file\).*nothing was touched/);
    assert.deepEqual(snapshot(d), before);
  });

  it('a bad option is refused before anything is touched, even in a folder the quickstart made', async () => {
    const d = dir();
    const qs = path.join(d, 'qs');
    fs.mkdirSync(path.join(qs, 'cloud'), { recursive: true });
    fs.writeFileSync(path.join(qs, QUICKSTART_MARKER), 'x');
    fs.writeFileSync(path.join(qs, 'cloud', 'functions.json'), '{}');
    const before = snapshot(d);
    for (const bad of [['--regions', 'mars-north-1'], ['--example', 'nope'], ['--solves-per-day', '5'], ['--runs', '3']]) {
      const r = await runCliCode(['quickstart', '--dir', qs, ...bad]);
      assert.equal(r.code, ExitCode.UserInput, `${bad.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, /^error: /);
      assert.deepEqual(snapshot(d), before, `${bad.join(' ')} touched the folder`);
    }
    // a file given as --dir
    const file = path.join(d, 'notes.txt');
    fs.writeFileSync(file, 'mine');
    const f = await runCliCode(['quickstart', '--dir', file, '--runs', '10']);
    assert.equal(f.code, ExitCode.UserInput);
    assert.match(f.stderr, /is a file, not a folder/);
    assert.equal(fs.readFileSync(file, 'utf8'), 'mine');
  });

  it('--report onto a file caribou did not write: refused, nothing touched', async () => {
    const d = dir();
    const report = path.join(d, 'thesis.html');
    fs.writeFileSync(report, '<html>my thesis</html>');
    const qs = path.join(d, 'qs');
    const r = await runCliCode(['quickstart', '--dir', qs, '--runs', '10', '--report', report]);
    assert.equal(r.code, ExitCode.UserInput, r.stderr);
    assert.match(r.stderr, /--report .*thesis\.html exists and is not a report caribou wrote/);
    assert.equal(fs.readFileSync(report, 'utf8'), '<html>my thesis</html>');
    assert.ok(!fs.existsSync(qs), 'the state folder was not even created');
  });

  it('a second quickstart on a folder in use is refused and wipes nothing; a rerun later clears only what the quickstart made', async () => {
    const d = dir();
    const qs = path.join(d, 'qs');
    const first = await quickstart({ dir: qs, before: 10, after: 10, day: new Date('2026-06-10T00:00:00Z') });
    assert.ok(fs.existsSync(path.join(qs, QUICKSTART_MARKER)), 'the folder it made is marked');
    assert.equal(first.report, path.join(qs, 'report.html'));
    fs.writeFileSync(path.join(qs, 'my-notes.txt'), 'keep me');

    // another process is using the folder's cloud (a quickstart still running there)
    let holder: ChildProcess | undefined;
    try {
      holder = spawn(process.execPath, ['--require', 'tsx/cjs', path.join(__dirname, 'fixtures', 'hold-cloud.ts'), path.join(qs, 'cloud')], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve, reject) => {
        holder!.stdout!.on('data', (b: Buffer) => b.toString().includes('ready') && resolve());
        holder!.once('exit', (code) => reject(new Error(`the holder exited (${code})`)));
      });
      const live = snapshot(qs);
      const r = spawnCli(['quickstart', '--dir', qs, '--runs', '10', '--json'], { env: { CARIBOU_HOME: '' } });
      assert.equal(r.code, ExitCode.UserInput, r.stderr);
      assert.match(r.stderr, new RegExp(`--dir .* is in use by another caribou process \\(pid ${holder.pid}\\).*nothing was touched`));
      assert.deepEqual(snapshot(qs), live, "the live quickstart's state was touched");
    } finally {
      holder?.kill('SIGKILL');
    }

    // once it is gone (its lock left behind, stale), a rerun works and keeps what it did not make
    const again = await quickstart({ dir: qs, before: 10, after: 10, day: new Date('2026-06-10T00:00:00Z') });
    assert.equal(again.workflow_id, first.workflow_id);
    assert.equal(fs.readFileSync(path.join(qs, 'my-notes.txt'), 'utf8'), 'keep me');
    // and it overwrites its own report, given as --report too
    const third = await runCliCode(['quickstart', '--dir', qs, '--runs', '10', '--report', again.report, '--json']);
    assert.equal(third.code, ExitCode.Done, third.stderr);
  });
});
