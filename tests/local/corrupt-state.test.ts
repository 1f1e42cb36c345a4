import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { openLocalCloud } from '../../src/cloud/local';
import { deployWorkflow } from '../../src/deploy/deployer';
import { loadWorkflowProject } from '../../src/deploy/project';
import { runMany } from '../../src/deploy/run';
import { ExitCode } from '../../src/model/errors';
import { runCliCode, spawnCli, type CliOutcome } from '../support/cli';
import { example, tempDir } from './helpers';

/**
 * Corrupt local state (a garbled JSON state file, a damaged table file of the embedded
 * DynamoDB) is the user's state, not a defect: exit 1 with the file, what is wrong, and the
 * command that repairs it or starts afresh — never `internal error` or a LevelDB stack.
 */
describe('corrupt local state: which file, what is wrong, how to recover', function () {
  this.timeout(180_000);
  let base: ReturnType<typeof tempDir>;
  const homes: string[] = [];
  const ID = 'small_sync_example-0.0.1';

  before(async () => {
    base = tempDir('caribou-corrupt-');
    const home = path.join(base.dir, 'pristine');
    // two sessions, so that the tables are flushed into LevelDB table files
    for (let i = 0; i < 2; i++) {
      const cloud = await openLocalCloud({ home, start: new Date('2026-06-10T00:00:00Z') });
      try {
        if (i === 0) {
          await deployWorkflow(cloud, await loadWorkflowProject(example('small_sync_example')));
          await cloud.schedules.put({ name: 'caribou-cycle', expression: 'cron(0 1 * * ? *)', target: 'CaribouCycle' });
        }
        await runMany(cloud, ID, [{ message: 'hi', number: 1 }], { at: new Date('2026-06-10T10:00:00Z'), spacingS: 1 });
      } finally {
        await cloud.close();
      }
    }
  });
  after(() => base.cleanup());

  /** A copy of the pristine state folder to damage. */
  function copy(): string {
    const home = path.join(base.dir, `case-${homes.length}`);
    fs.cpSync(path.join(base.dir, 'pristine'), home, { recursive: true });
    homes.push(home);
    return home;
  }

  async function inProcess(home: string, args: string[]): Promise<CliOutcome> {
    const saved = process.env.CARIBOU_HOME;
    process.env.CARIBOU_HOME = home;
    try {
      return await runCliCode(args);
    } finally {
      if (saved === undefined) delete process.env.CARIBOU_HOME;
      else process.env.CARIBOU_HOME = saved;
    }
  }

  function assertWorded(r: CliOutcome, file: string, what: RegExp, fix: RegExp): void {
    assert.equal(r.code, ExitCode.UserInput, `exit ${r.code}\n${r.stderr}`);
    assert.ok(r.stderr.startsWith(`error: local state file ${file} is corrupt: `), r.stderr);
    assert.match(r.stderr, what);
    assert.match(r.stderr, fix);
    assert.doesNotMatch(r.stderr, /internal error|^\s+at /m, 'no internal error, no stack trace');
  }

  it('a garbled clock.json: names it, says it is not JSON, and deleting it repairs the cloud', async () => {
    const home = copy();
    const clock = path.join(home, 'clock.json');
    fs.writeFileSync(clock, '{"now": 17');
    assertWorded(await inProcess(home, ['list']), clock, /is not valid JSON/, new RegExp(`Repair it by deleting it: rm ${clock}`));
    fs.rmSync(clock);
    const ok = await inProcess(home, ['list']);
    assert.equal(ok.code, ExitCode.Done, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^${ID}\\b`));
  });

  it('a garbled or empty functions.json / topics.json, a schedules.json of the wrong shape: named, with the way out', async () => {
    const startAfresh = (home: string) => new RegExp(`Start afresh: rm -rf ${home} .*caribou deploy`);
    const home1 = copy();
    fs.writeFileSync(path.join(home1, 'functions.json'), '{"us-east-1": {"small_sync');
    assertWorded(await inProcess(home1, ['run', ID, '-a', '{"message":"x"}', '--wait']), path.join(home1, 'functions.json'), /is not valid JSON/, startAfresh(home1));
    const home2 = copy();
    fs.writeFileSync(path.join(home2, 'topics.json'), '');
    assertWorded(await inProcess(home2, ['run', ID, '-a', '{"message":"x"}', '--wait']), path.join(home2, 'topics.json'), /it is empty/, startAfresh(home2));
    const home3 = copy();
    fs.writeFileSync(path.join(home3, 'schedules.json'), '{"name": 1}');
    assertWorded(await inProcess(home3, ['list_timers']), path.join(home3, 'schedules.json'), /is JSON but not what the local cloud wrote: \(root\): expected/, /rm .*schedules\.json/);
  });

  it('a truncated or overwritten table file, a truncated MANIFEST, a damaged block: worded, exit 1, in a real process', () => {
    const tableFile = (home: string) => {
      const dir = path.join(home, 'dynamodb');
      const ldb = fs.readdirSync(dir).filter((n) => n.endsWith('.ldb'));
      assert.ok(ldb.length > 0, `no table file in ${dir}: ${fs.readdirSync(dir).join(', ')}`);
      return path.join(dir, ldb.sort((a, b) => fs.statSync(path.join(dir, b)).size - fs.statSync(path.join(dir, a)).size)[0]);
    };
    const cli = (home: string) => spawnCli(['list'], { cwd: home, env: { CARIBOU_HOME: home } });
    const startAfresh = (home: string) => new RegExp(`Start afresh: rm -rf ${home} `);

    const h1 = copy();
    const f1 = tableFile(h1);
    fs.truncateSync(f1, Math.floor(fs.statSync(f1).size / 2));
    assertWorded(cli(h1), f1, /the table file is cut short or overwritten/, startAfresh(h1));

    const h2 = copy();
    const dir2 = path.join(h2, 'dynamodb');
    const manifest = path.join(dir2, fs.readFileSync(path.join(dir2, 'CURRENT'), 'utf8').trim());
    fs.truncateSync(manifest, 20);
    assertWorded(cli(h2), manifest, /cut short/, startAfresh(h2));

    // garbage in the blocks, the footer intact: only LevelDB's own checks find it, when it reads the file
    const h3 = copy();
    const f3 = tableFile(h3);
    const size = fs.statSync(f3).size;
    const fd = fs.openSync(f3, 'r+');
    fs.writeSync(fd, Buffer.alloc(size - 48, 0x78), 0, size - 48, 0);
    fs.closeSync(fd);
    assertWorded(cli(h3), path.join(h3, 'dynamodb'), /LevelDB found it damaged \(Corruption/, startAfresh(h3));

    // and the state that is whole still works
    const h4 = copy();
    const ok = cli(h4);
    assert.equal(ok.code, ExitCode.Done, ok.stderr);
    assert.match(ok.stdout, new RegExp(`^${ID}\\b`));
  });
});
