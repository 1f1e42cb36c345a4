import { strict as assert } from 'assert';
import { reportError } from '../../src/cli/main';
import { CorruptStateError, ExitCode, NothingAppliedError, UserError } from '../../src/model/errors';
import { runCliCode, spawnCli } from '../support/cli';
import { tempDir } from './helpers';

/** Exit codes mean what they say: 0 done, 1 the user's input or state, 2 internal, 3 nothing applied. */
describe('exit codes', function () {
  this.timeout(60_000);

  it('--help lists every exit code', () => {
    const r = spawnCli(['--help']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Exit codes:/);
    for (const line of [/^\s*0\s+done/m, /^\s*1\s+the user's input or local state/m, /^\s*2\s+internal error/m, /^\s*3\s+nothing applied/m]) assert.match(r.stdout, line);
    // and each command's own --help
    const sub = spawnCli(['run_deployment_migrator', '--help']);
    assert.equal(sub.code, 0, sub.stderr);
    assert.match(sub.stdout, /Exit codes:[\s\S]*^\s*3\s+nothing applied/m);
  });

  it('each kind of error maps to its code, worded, without a stack trace', () => {
    const quiet = console.error;
    const printed: string[] = [];
    console.error = (...a: unknown[]) => printed.push(a.join(' '));
    try {
      assert.equal(reportError(new UserError('bad flag')), ExitCode.UserInput);
      assert.equal(reportError(new CorruptStateError('/x/clock.json', 'not JSON', 'Delete it.')), ExitCode.UserInput);
      assert.equal(reportError(new NothingAppliedError('lease held')), ExitCode.NothingApplied);
      assert.equal(reportError(new TypeError('boom')), ExitCode.Internal);
    } finally {
      console.error = quiet;
    }
    assert.deepEqual(printed.slice(0, 3), ['error: bad flag', 'error: local state file /x/clock.json is corrupt: not JSON. Delete it.', 'not applied: lease held']);
    assert.match(printed[3], /^internal error: boom/);
    assert.deepEqual(ExitCode, { Done: 0, UserInput: 1, Internal: 2, NothingApplied: 3 });
  });

  it('the test helper returns the code a real process exits with', async () => {
    const t = tempDir();
    try {
      // a bad option is the user's input: 1, in this process and in a real one
      const inProcess = await runCliCode(['quickstart', '--runs', '3', '--dir', t.dir]);
      const spawned = spawnCli(['quickstart', '--runs', '3', '--dir', t.dir]);
      for (const r of [inProcess, spawned]) {
        assert.equal(r.code, ExitCode.UserInput, r.stderr);
        assert.match(r.stderr, /--runs must be an integer ≥ 10/);
      }
      const ok = await runCliCode(['version']);
      assert.equal(ok.code, ExitCode.Done);
      assert.match(ok.stdout, /^\d+\.\d+\.\d+/);
    } finally {
      t.cleanup();
    }
  });
});
