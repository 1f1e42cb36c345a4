import { strict as assert } from 'assert';
import { promises as fs } from 'fs';
import * as path from 'path';
import { runCliCode } from '../support/cli';
import { useCaribouHome } from '../support/home';

const ROOT = path.resolve(__dirname, '..', '..');

describe('caribou new_workflow: the commands it prints run as printed', function () {
  this.timeout(180_000);
  const h = useCaribouHome('caribou-printed-');

  before(async () => {
    // what `npm install caribou-ts` gives a user's project
    await fs.mkdir(path.join(h.dir, 'node_modules'));
    await fs.symlink(ROOT, path.join(h.dir, 'node_modules', 'caribou-ts'), 'dir');
  });

  it('inspect, deploy and run (no -a) each exit 0, and the run succeeds', async () => {
    const created = await runCliCode(['new_workflow', 'demo', '-d', h.dir]);
    assert.equal(created.code, 0, created.stderr);
    const printed = created.stdout
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l.startsWith('npx caribou '));
    assert.deepEqual(
      printed.map((l) => l.split(' ')[2]),
      ['inspect', 'deploy', 'run'],
      created.stdout,
    );
    const results = [];
    for (const line of printed) {
      assert.doesNotMatch(line, /['"]/, 'no quoting to interpret: the words are the arguments');
      const r = await runCliCode(line.split(/\s+/).slice(2));
      assert.equal(r.code, 0, `${line}\n${r.stdout}\n${r.stderr}`);
      results.push(r.stdout);
    }
    assert.match(results[0]!, /2 functions, 2 instances, 1 call-site edges/);
    assert.match(results[1]!, /^demo-0\.0\.1$/m);
    assert.match(results[2]!, /^run \S+: succeeded/);
  });
});
