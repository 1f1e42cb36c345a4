import { strict as assert } from 'assert';
import { openLocalCloud, type LocalCloud } from '../../src/cloud/local';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbKeyValueStore, MissingTableError } from '../../src/cloud/aws/dynamodb-store';
import { startDynalite } from '../../src/cloud/local/dynalite';
import { tempDir } from './helpers';

describe('DynamoDbKeyValueStore against the embedded dynalite', () => {
  let tmp: ReturnType<typeof tempDir>;
  let cloud: LocalCloud;

  before(async () => {
    tmp = tempDir();
    cloud = await openLocalCloud({ home: tmp.dir });
  });
  after(async () => {
    await cloud.close();
    tmp.cleanup();
  });

  it('replaceField swaps a field only from the value expected (absent: undefined), and a retry finds its own write', async () => {
    const t = cloud.tables;
    await t.ensureTable('us-east-1', 'sync_messages_table');
    const k = 'lease-test';
    const a = { owner: 'd1', nonce: 'a' };
    const b = { owner: 'd2', nonce: 'b' };
    assert.equal((await t.replaceField('us-east-1', 'sync_messages_table', k, 'claimed', undefined, a)).set, true);
    const stale = await t.replaceField('us-east-1', 'sync_messages_table', k, 'claimed', undefined, b);
    assert.equal(stale.set, false, 'the field is no longer absent');
    assert.deepEqual(stale.fields.claimed, a);
    assert.equal((await t.replaceField('us-east-1', 'sync_messages_table', k, 'claimed', { owner: 'd9', nonce: 'z' }, b)).set, false, 'another value expected');
    const took = await t.replaceField('us-east-1', 'sync_messages_table', k, 'claimed', a, b);
    assert.equal(took.set, true);
    assert.deepEqual(took.fields.claimed, b);
    // the same call again (a retry after a lost response): its condition fails against its own write
    assert.equal((await t.replaceField('us-east-1', 'sync_messages_table', k, 'claimed', a, b)).set, true);
  });

  it('puts, gets, refuses a second ifAbsent put, and deletes', async () => {
    const t = cloud.tables;
    await t.ensureTable('us-east-1', 'kv_test_table');
    assert.equal(await t.put('us-east-1', 'kv_test_table', 'a', { x: [1, 2] }), true);
    assert.deepEqual(await t.get('us-east-1', 'kv_test_table', 'a'), { x: [1, 2] });
    assert.equal(await t.put('us-east-1', 'kv_test_table', 'a', { x: 3 }, { ifAbsent: true }), false);
    assert.deepEqual(await t.get('us-east-1', 'kv_test_table', 'a'), { x: [1, 2] });
    await t.delete('us-east-1', 'kv_test_table', 'a');
    assert.equal(await t.get('us-east-1', 'kv_test_table', 'a'), undefined);
  });

  it('scopes tables by region', async () => {
    const t = cloud.tables;
    await t.ensureTable('eu-west-1', 'kv_test_table');
    await t.ensureTable('us-east-1', 'kv_test_table');
    await t.put('eu-west-1', 'kv_test_table', 'k', 'eu');
    assert.equal(await t.get('us-east-1', 'kv_test_table', 'k'), undefined);
    assert.equal(await t.get('eu-west-1', 'kv_test_table', 'k'), 'eu');
  });

  it('lists every key across scan pages', async () => {
    const t = cloud.tables;
    await t.ensureTable('us-east-2', 'many_keys_table');
    // ~1.2 MB of items: more than one 1 MB scan page
    const big = 'x'.repeat(3000);
    const keys = Array.from({ length: 400 }, (_, i) => `k${String(i).padStart(4, '0')}`);
    for (const k of keys) await t.put('us-east-2', 'many_keys_table', k, big);
    assert.deepEqual(await t.keys('us-east-2', 'many_keys_table'), keys);
  });

  it('setFieldOnce sets a field exactly once and returns every field', async () => {
    const t = cloud.tables;
    await t.ensureTable('us-east-1', 'sync_test_table');
    const a = await t.setFieldOnce('us-east-1', 'sync_test_table', 'run1', 'p#0', { v: 1 });
    assert.deepEqual(a, { set: true, fields: { 'p#0': { v: 1 } } });
    const b = await t.setFieldOnce('us-east-1', 'sync_test_table', 'run1', 'p#0', { v: 2 });
    assert.deepEqual(b, { set: false, fields: { 'p#0': { v: 1 } } });
    const c = await t.setFieldOnce('us-east-1', 'sync_test_table', 'run1', 'q#1', null);
    assert.deepEqual(c, { set: true, fields: { 'p#0': { v: 1 }, 'q#1': null } });
    assert.deepEqual(await t.get('us-east-1', 'sync_test_table', 'run1'), { 'p#0': { v: 1 }, 'q#1': null });
  });

  it('setFieldOnce lets exactly one of many racing writers win', async () => {
    const t = cloud.tables;
    await t.ensureTable('us-east-1', 'sync_test_table');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => t.setFieldOnce('us-east-1', 'sync_test_table', 'race', 'slot', i)));
    assert.equal(results.filter((r) => r.set).length, 1);
    const winner = results.find((r) => r.set)!.fields.slot;
    for (const r of results) assert.equal(r.fields.slot, winner);
  });

  it('reports a missing table clearly', async () => {
    await assert.rejects(cloud.tables.get('us-east-1', 'no_such_table', 'k'), MissingTableError);
  });

  it('setFieldOnce: a retry after a lost response still tells the writer it won', async () => {
    const d = await startDynalite();
    const client = new DynamoDBClient({ endpoint: d.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'x' }, maxAttempts: 3 });
    // the server applies the first UpdateItem, but its response is lost: the SDK retries
    let dropped = false;
    client.middlewareStack.add(
      (next, ctx) => async (args) => {
        const r = await next(args);
        if ((ctx as { commandName?: string }).commandName === 'UpdateItemCommand' && !dropped) {
          dropped = true;
          throw Object.assign(new Error('response lost after the write was applied'), { name: 'TimeoutError', $retryable: {} });
        }
        return r;
      },
      { step: 'deserialize', name: 'dropFirstUpdateResponse' },
    );
    try {
      const s = new DynamoDbKeyValueStore({ clientFor: () => client, physicalName: (r, t) => `${r}.${t}`, activePollMs: 5 });
      await s.ensureTable('us-east-1', 'sync_messages_table');
      const mine = await s.setFieldOnce('us-east-1', 'sync_messages_table', 'f:run1', 'claimed', { taint: 't1', nonce: 'a' });
      assert.ok(dropped, 'the response was dropped and the request retried');
      assert.equal(mine.set, true, 'the only writer is told it won');
      const other = await s.setFieldOnce('us-east-1', 'sync_messages_table', 'f:run1', 'claimed', { taint: 't1', nonce: 'b' });
      assert.equal(other.set, false, 'a second writer (same taint, its own nonce) is told it lost');
      assert.deepEqual(other.fields.claimed, { taint: 't1', nonce: 'a' });
    } finally {
      client.destroy();
      await d.close();
    }
  });
});
