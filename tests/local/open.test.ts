import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { openCloud, targetOf, withCloud } from '../../src/cloud/open';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { tempDir } from './helpers';

describe('openCloud', () => {
  let tmp: ReturnType<typeof tempDir>;
  beforeEach(() => (tmp = tempDir()));
  afterEach(() => tmp.cleanup());

  it('opens the local cloud in the state folder, with the system tables, and releases it on close', async () => {
    const cloud = (await openCloud({ target: 'local', home: tmp.dir })) as LocalCloud;
    try {
      assert.equal(cloud.target, 'local');
      assert.equal(cloud.home, tmp.dir);
      assert.ok(cloud.regions.includes(SYSTEM_REGION) && cloud.regions.includes('eu-west-1'));
      assert.deepEqual(await cloud.tables.keys(SYSTEM_REGION, TABLES.deploymentManagerResource), []);
      assert.ok(fs.existsSync(path.join(tmp.dir, 'lock')));
    } finally {
      await cloud.close();
    }
    assert.ok(!fs.existsSync(path.join(tmp.dir, 'lock')), 'the lock is released');
  });

  it('keeps state between opens, and shares one cloud within a process', async () => {
    await withCloud({ target: 'local', home: tmp.dir }, (c) => c.tables.put(SYSTEM_REGION, TABLES.workflowSummary, 'k', { v: 1 }));
    const a = await openCloud({ target: 'local', home: tmp.dir });
    const b = await openCloud({ target: 'local', home: tmp.dir });
    try {
      assert.equal(a, b);
      assert.deepEqual(await a.tables.get(SYSTEM_REGION, TABLES.workflowSummary, 'k'), { v: 1 });
      // joining with other options would silently ignore them: refused instead
      await assert.rejects(openLocalCloud({ home: tmp.dir, knobs: { duplicates: 0.5 } }), /already open in this process/);
    } finally {
      await a.close();
      assert.deepEqual(await b.tables.get(SYSTEM_REGION, TABLES.workflowSummary, 'k'), { v: 1 }, 'still open for the second user');
      await b.close();
    }
  });

  it('the virtual clock starts where asked and only moves forward', async () => {
    const start = new Date('2026-05-01T12:00:00Z');
    const cloud = await openLocalCloud({ home: tmp.dir, start, inMemory: true });
    try {
      assert.equal(cloud.now().toISOString(), start.toISOString());
      cloud.advanceTo(new Date('2026-05-01T13:00:00Z'));
      cloud.advanceTo(new Date('2026-05-01T12:30:00Z'));
      assert.equal(cloud.now().toISOString(), '2026-05-01T13:00:00.000Z');
    } finally {
      await cloud.close();
    }
  });

  it('names a bad target', () => {
    assert.equal(targetOf(undefined), process.env.CARIBOU_TARGET === 'aws' ? 'aws' : 'local');
    assert.equal(targetOf('aws'), 'aws');
    assert.throws(() => targetOf('gcp'), /unknown target "gcp": use --target local or --target aws/);
  });
});
