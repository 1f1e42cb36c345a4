import { strict as assert } from 'assert';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { StateLock } from '../../src/cloud/local/lock';
import { tempDir } from './helpers';

describe('local cloud state lock', () => {
  it('a lock left by a dead process is taken over by exactly one of two racing waiters', async () => {
    const tmp = tempDir();
    try {
      // the pid of a process that has exited
      const dead = spawnSync(process.execPath, ['-e', '']).pid;
      fs.writeFileSync(path.join(tmp.dir, 'lock'), JSON.stringify({ pid: dead, since: new Date().toISOString() }));
      const results = await Promise.allSettled([StateLock.acquire(tmp.dir, 300), StateLock.acquire(tmp.dir, 300)]);
      const won = results.filter((r): r is PromiseFulfilledResult<StateLock> => r.status === 'fulfilled');
      assert.equal(won.length, 1, results.map((r) => r.status).join(','));
      const lost = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
      assert.match(String(lost.reason.message), /busy/);
      assert.equal(JSON.parse(fs.readFileSync(path.join(tmp.dir, 'lock'), 'utf8')).pid, process.pid);
      won[0].value.releaseSync();
      assert.ok(!fs.existsSync(path.join(tmp.dir, 'lock')));
    } finally {
      tmp.cleanup();
    }
  });
});
