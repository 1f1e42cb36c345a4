import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import { MAX_PAYLOAD_DEPTH, toJson } from '../../sdk/runtime/json';
import { example } from '../local/helpers';
import { runCliCode } from '../support/cli';
import { useCaribouHome } from '../support/home';

const WF = 'small_sync_example-0.0.1';

describe('caribou run -a: payloads of any size from a file or stdin, and a worded refusal of one nested too deeply', function () {
  this.timeout(120_000);
  const h = useCaribouHome('caribou-runarg-');

  before(async () => {
    const d = await runCliCode(['deploy', '--workflow-dir', example('small_sync_example')]);
    assert.equal(d.code, 0, d.stderr);
  });

  // over the 128 KiB one command-line argument can hold on Linux
  const big = JSON.stringify({ message: 'x'.repeat(300 * 1024), number: 2 });

  it('-a @file passes a 300 KiB payload', async () => {
    const file = path.join(h.dir, 'payload.json');
    await fs.writeFile(file, big);
    const r = await runCliCode(['run', WF, '-a', `@${file}`, '--wait', '--json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'succeeded');
  });

  it('-a - reads the payload from stdin', async () => {
    const r = await runCliCode(['run', WF, '-a', '-', '--wait', '--json'], { stdin: big });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).status, 'succeeded');
  });

  it('a missing file or empty stdin is a worded error, exit 1', async () => {
    const missing = await runCliCode(['run', WF, '-a', `@${path.join(h.dir, 'nope.json')}`]);
    assert.equal(missing.code, 1);
    assert.match(missing.stderr, /^error: -a @.*nope\.json: cannot read .*nope\.json: no such file/);
    const empty = await runCliCode(['run', WF, '-a', '-'], { stdin: '' });
    assert.equal(empty.code, 1);
    assert.match(empty.stderr, /stdin was empty/);
  });

  it('a payload nested 20,000 levels deep is refused in words (no stack overflow), exit 1', async () => {
    const file = path.join(h.dir, 'deep.json');
    await fs.writeFile(file, '['.repeat(20_000) + ']'.repeat(20_000));
    const r = await runCliCode(['run', WF, '-a', `@${file}`, '--wait']);
    assert.equal(r.code, 1, r.stdout + r.stderr);
    assert.match(r.stderr, new RegExp(`^error: the run argument is not JSON: \\$[\\[\\]0]+\\.\\.\\. is nested deeper than ${MAX_PAYLOAD_DEPTH} levels`));
    assert.doesNotMatch(r.stderr, /call stack/);
  });

  it('the depth check needs no recursion: a million levels are refused as fast', () => {
    let v: unknown = 1;
    for (let i = 0; i < 1_000_000; i++) v = [v];
    assert.throws(() => toJson(v, 'p'), /nested deeper than/);
    let ok: unknown = 1;
    for (let i = 0; i < MAX_PAYLOAD_DEPTH - 1; i++) ok = { a: ok };
    assert.equal(toJson(ok, 'p').length, JSON.stringify(ok).length, 'just under the limit is accepted');
  });
});
