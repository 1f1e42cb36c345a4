/**
 * The join property again, but over the real DynamoDB adapter against an embedded dynalite:
 * setFieldOnce is then a real conditional UpdateItem, and concurrent deliveries interleave
 * at real I/O. Fewer cases than the in-memory suite (each is a few dozen HTTP calls).
 * CARIBOU_PROP_DYNALITE_RUNS sets the number of cases (default 40).
 */
import fc from 'fast-check';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDbKeyValueStore } from '../../src/cloud/aws/dynamodb-store';
import { EmbeddedDynamo, startDynalite } from '../../src/cloud/local/dynalite';
import { caseArb, check } from './join-cases';

describe('runtime: join protocol over dynalite (property)', function () {
  this.timeout(600_000);
  const numRuns = Number(process.env.CARIBOU_PROP_DYNALITE_RUNS ?? 40);
  let dynamo: EmbeddedDynamo;
  let client: DynamoDBClient;
  let tables: DynamoDbKeyValueStore;

  before(async () => {
    dynamo = await startDynalite();
    client = new DynamoDBClient({ endpoint: dynamo.endpoint, region: 'us-east-1', credentials: { accessKeyId: 'local', secretAccessKey: 'local' }, maxAttempts: 2 });
    tables = new DynamoDbKeyValueStore({ clientFor: () => client, physicalName: (region, table) => `${region}.${table}` });
  });
  after(async () => {
    client?.destroy();
    await dynamo?.close();
  });

  it(`joins fire exactly once with all payloads, over real conditional updates (${numRuns} random DAGs)`, async () => {
    await fc.assert(
      fc.asyncProperty(caseArb, (c) => check(c, tables).then(() => undefined)),
      { numRuns, seed: 7 },
    );
  });
});
