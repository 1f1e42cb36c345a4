import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { DescribeTimeToLiveCommand, DynamoDBClient, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { SYNC_TABLE_TTL_S, type AwsCloud } from '../../src/cloud/aws';
import { TTL_ATTRIBUTE } from '../../src/cloud/aws/dynamodb-store';
import { TABLES } from '../../src/model/tables';
import { caseArb, check } from '../runtime/join-cases';
import { motoCloud, useMoto } from './moto';

/**
 * The join protocol's single primitive, setFieldOnce (one conditional UpdateItem), against
 * moto's DynamoDB: under concurrent calls, every slot is claimed exactly once, duplicates
 * never overwrite, and the caller that completes the set sees every slot.
 */
describe('aws: join protocol on DynamoDB (moto)', function () {
  let cloud: AwsCloud;
  const region = 'eu-central-1';
  const table = TABLES.syncMessages;

  before(async function () {
    const moto = await useMoto(this);
    cloud = await motoCloud(moto);
    await cloud.tables.ensureTable(region, table);
  });
  after(async () => cloud?.close());

  it('claims each slot exactly once when predecessors race and messages are delivered twice', async () => {
    const key = 'wf-0.0.1:run-1:join:3';
    const slots = Array.from({ length: 12 }, (_, i) => `pred${i}#0`);
    // every predecessor delivers its message three times, all at once, in a shuffled order
    const calls = slots.flatMap((slot, i) => [0, 1, 2].map((copy) => ({ slot, value: { from: slot, copy, n: i } })));
    for (let i = calls.length - 1; i > 0; i--) {
      const j = (i * 7919) % (i + 1); // deterministic shuffle
      [calls[i], calls[j]] = [calls[j], calls[i]];
    }
    const results = await Promise.all(calls.map((c) => cloud.tables.setFieldOnce(region, table, key, c.slot, c.value)));

    const winners = results.filter((r) => r.set);
    assert.equal(winners.length, slots.length, 'one winning write per slot');
    const wonSlots = calls.filter((_, i) => results[i].set).map((c) => c.slot);
    assert.deepEqual([...wonSlots].sort(), [...slots].sort(), 'every slot won once');

    // exactly one caller saw the set complete (the one that fires the join)
    const complete = results.filter((r) => r.set && slots.every((s) => s in r.fields));
    assert.equal(complete.length, 1, 'exactly one writer completes the join');

    const final = (await cloud.tables.get(region, table, key)) as Record<string, { copy: number; from: string }>;
    assert.deepEqual(Object.keys(final).sort(), [...slots].sort());
    // the stored value is the winner's, never overwritten by a later duplicate
    for (const [i, c] of calls.entries()) if (results[i].set) assert.deepEqual(final[c.slot], c.value);
  });

  it('a duplicate of a claimed slot reports set=false and the item as stored', async () => {
    const key = 'wf-0.0.1:run-2:join:3';
    const first = await cloud.tables.setFieldOnce(region, table, key, 'a#0', { v: 1 });
    const dup = await cloud.tables.setFieldOnce(region, table, key, 'a#0', { v: 2 });
    assert.equal(first.set, true);
    assert.equal(dup.set, false);
    assert.deepEqual(dup.fields, { 'a#0': { v: 1 } });
  });

  it('join items expire a day after their first write (DynamoDB TTL, AWS only)', async () => {
    const ddb = cloud.context.client(DynamoDBClient, region);
    const ttl = await ddb.send(new DescribeTimeToLiveCommand({ TableName: table }));
    assert.equal(ttl.TimeToLiveDescription?.TimeToLiveStatus, 'ENABLED');
    assert.equal(ttl.TimeToLiveDescription?.AttributeName, TTL_ATTRIBUTE);
    const key = 'wf-0.0.1:run-ttl:join:1';
    await cloud.tables.setFieldOnce(region, table, key, 'a#0', 1);
    const read = async () => Number((await ddb.send(new GetItemCommand({ TableName: table, Key: { key: { S: key } } }))).Item![TTL_ATTRIBUTE].N);
    const first = await read();
    assert.ok(Math.abs(first - (Date.now() / 1000 + SYNC_TABLE_TTL_S)) < 60);
    await new Promise((r) => setTimeout(r, 1100));
    await cloud.tables.setFieldOnce(region, table, key, 'b#0', 2);
    assert.equal(await read(), first, 'a later slot keeps the first expiry');
    assert.deepEqual(await cloud.tables.get(region, table, key), { 'a#0': 1, 'b#0': 2 });
  });

  it('put ifAbsent admits one writer among many', async () => {
    const outcomes = await Promise.all(Array.from({ length: 10 }, (_, i) => cloud.tables.put(region, table, 'claim:run-3', { by: i }, { ifAbsent: true })));
    assert.equal(outcomes.filter(Boolean).length, 1);
  });

  it('keys reads every page of a scan', async () => {
    const t = 'workflow_summary_table';
    await cloud.tables.ensureTable(region, t);
    // items of ~20 KB make moto's 1 MB scan pages split the table
    const big = 'x'.repeat(20_000);
    const ids = Array.from({ length: 120 }, (_, i) => `wf_${String(i).padStart(3, '0')}-0.0.1`);
    for (let i = 0; i < ids.length; i += 20) await Promise.all(ids.slice(i, i + 20).map((id) => cloud.tables.put(region, t, id, { big })));
    assert.deepEqual(await cloud.tables.keys(region, t), ids);
  });
});

/**
 * The runtime's own join property (tests/runtime/join-cases.ts: random DAGs with joins,
 * skips, never-reached call sites, throwing functions, outages, duplicate deliveries and
 * concurrent handling, checked against an oracle) with the DynamoDB adapter on moto in
 * three regions underneath. CARIBOU_PROP_MOTO_RUNS sets the number of cases (default 12).
 */
describe('aws: runtime join property over moto DynamoDB', function () {
  let cloud: AwsCloud;
  const numRuns = Number(process.env.CARIBOU_PROP_MOTO_RUNS ?? 12);

  before(async function () {
    const moto = await useMoto(this);
    cloud = await motoCloud(moto);
  });
  after(async () => cloud?.close());

  it(`joins fire exactly once with every payload, over moto's conditional updates (${numRuns} random DAGs)`, async function () {
    this.timeout(300_000);
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => check(c, cloud.tables).then(() => undefined)),
      { numRuns, seed: 11 },
    );
  });
});
