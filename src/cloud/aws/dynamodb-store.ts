import {
  ConditionalCheckFailedException,
  CreateTableCommand,
  DeleteItemCommand,
  DeleteTableCommand,
  DescribeTableCommand,
  DescribeTimeToLiveCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  ResourceInUseException,
  ResourceNotFoundException,
  ScanCommand,
  UpdateItemCommand,
  UpdateTimeToLiveCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { UserError } from '../../model/errors';
import type { KeyValueStore } from '../ports';

/**
 * THE table adapter: a KeyValueStore over the DynamoDB API, written with
 * @aws-sdk/client-dynamodb. On AWS it talks to DynamoDB in each region; on the local cloud
 * the same code talks to the embedded dynalite server.
 *
 * Item layout (as in Caribou): hash key `key` (S) and the record as a JSON string in
 * `value` (S). Items written by `setFieldOnce` hold one top-level attribute per field,
 * named `f:<field>`, each a JSON string: a single conditional UpdateItem on a top-level
 * attribute is both atomic and the cheapest write (1 WCU), and it needs no "create the
 * map first" round trip that a nested `SET m.k` would.
 */
export interface DynamoDbStoreOptions {
  /** The client for a region (cached by the caller or here). */
  clientFor(region: string): DynamoDBClient;
  /**
   * The physical table name of `table` in `region`. On AWS it is the table itself; the local
   * cloud serves every simulated region from one dynalite, so it prefixes the region.
   */
  physicalName?(region: string, table: string): string;
  /**
   * How often to ask whether a created table is ACTIVE yet (ms); default 1000 (AWS takes
   * seconds). dynalite activates tables right after creating them, but asynchronously, so
   * the local cloud polls every few ms. A table is used only once it is ACTIVE: DynamoDB
   * answers ResourceNotFound for items of a table still CREATING.
   */
  activePollMs?: number;
  /** @deprecated tables are always awaited until ACTIVE now; kept so callers compile */
  waitForActive?: boolean;
  /**
   * Tables whose items expire (table → seconds after the item's first write), e.g. the
   * per-run join table on AWS: writes stamp TTL_ATTRIBUTE and ensureTable turns DynamoDB's
   * TTL on. dynalite has no TTL, so the local cloud leaves this unset.
   */
  expiring?: Record<string, number>;
}

/** The expiry attribute (epoch seconds), Caribou's name for it. */
export const TTL_ATTRIBUTE = 'cb_ttl_expiration_time';

const FIELD_PREFIX = 'f:';

/**
 * A table that does not exist, named the way a user can act on it. A UserError, so the CLI
 * prints the sentence (e.g. `caribou list` before `setup_tables`), not "internal error".
 */
export class MissingTableError extends UserError {
  constructor(readonly region: string, readonly table: string) {
    super(`table ${table} does not exist in ${region} (was the framework set up with \`caribou setup_tables\` / the workflow deployed?)`);
    this.name = 'MissingTableError';
  }
}

/** KeyValueStore over DynamoDB (or dynalite). */
export class DynamoDbKeyValueStore implements KeyValueStore {
  private readonly known = new Set<string>();

  constructor(private readonly opts: DynamoDbStoreOptions) {}

  private name(region: string, table: string): string {
    return this.opts.physicalName ? this.opts.physicalName(region, table) : table;
  }

  /** Runs a call and turns a missing table into a MissingTableError. */
  private async call<T>(region: string, table: string, fn: (c: DynamoDBClient, name: string) => Promise<T>): Promise<T> {
    try {
      return await fn(this.opts.clientFor(region), this.name(region, table));
    } catch (err) {
      if (err instanceof ResourceNotFoundException || (err as Error)?.name === 'ResourceNotFoundException') {
        this.known.delete(`${region}/${table}`);
        throw new MissingTableError(region, table);
      }
      throw err;
    }
  }

  async ensureTable(region: string, table: string): Promise<void> {
    const id = `${region}/${table}`;
    if (this.known.has(id)) return;
    const client = this.opts.clientFor(region);
    const TableName = this.name(region, table);
    try {
      await client.send(
        new CreateTableCommand({
          TableName,
          AttributeDefinitions: [{ AttributeName: 'key', AttributeType: 'S' }],
          KeySchema: [{ AttributeName: 'key', KeyType: 'HASH' }],
          BillingMode: 'PAY_PER_REQUEST',
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException || (err as Error)?.name === 'ResourceInUseException')) throw err;
    }
    await this.waitActive(client, TableName);
    if (this.opts.expiring?.[table] !== undefined) await this.enableTtl(client, TableName);
    this.known.add(id);
  }

  private async enableTtl(client: DynamoDBClient, TableName: string): Promise<void> {
    const d = await client.send(new DescribeTimeToLiveCommand({ TableName }));
    const status = d.TimeToLiveDescription?.TimeToLiveStatus;
    if (status === 'ENABLED' || status === 'ENABLING') return;
    await client.send(new UpdateTimeToLiveCommand({ TableName, TimeToLiveSpecification: { Enabled: true, AttributeName: TTL_ATTRIBUTE } }));
  }

  /** The expiry stamp for an item of `table` written now, if the table's items expire. */
  private expiry(table: string): AttributeValue | undefined {
    const seconds = this.opts.expiring?.[table];
    return seconds === undefined ? undefined : { N: String(Math.floor(Date.now() / 1000) + seconds) };
  }

  private async waitActive(client: DynamoDBClient, TableName: string): Promise<void> {
    const poll = this.opts.activePollMs ?? 1000;
    const deadline = Date.now() + 120_000;
    for (;;) {
      const d = await client.send(new DescribeTableCommand({ TableName }));
      if (d.Table?.TableStatus === 'ACTIVE') return;
      if (Date.now() > deadline) throw new Error(`table ${TableName} did not become ACTIVE within 2 minutes`);
      await new Promise((r) => setTimeout(r, poll));
    }
  }

  async dropTable(region: string, table: string): Promise<void> {
    this.known.delete(`${region}/${table}`);
    try {
      await this.opts.clientFor(region).send(new DeleteTableCommand({ TableName: this.name(region, table) }));
    } catch (err) {
      if (err instanceof ResourceNotFoundException || (err as Error)?.name === 'ResourceNotFoundException') return;
      throw err;
    }
  }

  async get(region: string, table: string, key: string): Promise<unknown | undefined> {
    const r = await this.call(region, table, (c, TableName) =>
      c.send(new GetItemCommand({ TableName, Key: { key: { S: key } }, ConsistentRead: true })),
    );
    if (!r.Item) return undefined;
    return decodeItem(r.Item);
  }

  async put(region: string, table: string, key: string, value: unknown, opts?: { ifAbsent?: boolean }): Promise<boolean> {
    const expiry = this.expiry(table);
    try {
      await this.call(region, table, (c, TableName) =>
        c.send(
          new PutItemCommand({
            TableName,
            Item: { key: { S: key }, value: { S: JSON.stringify(value) }, ...(expiry ? { [TTL_ATTRIBUTE]: expiry } : {}) },
            ...(opts?.ifAbsent ? { ConditionExpression: 'attribute_not_exists(#k)', ExpressionAttributeNames: { '#k': 'key' } } : {}),
          }),
        ),
      );
      return true;
    } catch (err) {
      if (isConditionFailed(err)) return false;
      throw err;
    }
  }

  async delete(region: string, table: string, key: string): Promise<void> {
    await this.call(region, table, (c, TableName) => c.send(new DeleteItemCommand({ TableName, Key: { key: { S: key } } })));
  }

  async keys(region: string, table: string): Promise<string[]> {
    // Scan pages until LastEvaluatedKey is absent (Caribou read only the first page).
    const out: string[] = [];
    let start: Record<string, AttributeValue> | undefined;
    do {
      const r = await this.call(region, table, (c, TableName) =>
        c.send(
          new ScanCommand({
            TableName,
            ProjectionExpression: '#k',
            ExpressionAttributeNames: { '#k': 'key' },
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      );
      for (const item of r.Items ?? []) if (item.key?.S !== undefined) out.push(item.key.S);
      start = r.LastEvaluatedKey;
    } while (start);
    return out.sort();
  }

  async setFieldOnce(
    region: string,
    table: string,
    key: string,
    field: string,
    value: unknown,
  ): Promise<{ set: boolean; fields: Record<string, unknown> }> {
    // set-once is a replace of "absent"; a duplicate delivery gets the item as it stands
    return this.replaceField(region, table, key, field, undefined, value);
  }

  async replaceField(
    region: string,
    table: string,
    key: string,
    field: string,
    expected: unknown | undefined,
    value: unknown,
  ): Promise<{ set: boolean; fields: Record<string, unknown> }> {
    const expiry = this.expiry(table);
    try {
      const r = await this.call(region, table, (c, TableName) =>
        c.send(
          new UpdateItemCommand({
            TableName,
            Key: { key: { S: key } },
            UpdateExpression: expiry ? 'SET #f = :v, #ttl = if_not_exists(#ttl, :ttl)' : 'SET #f = :v',
            // fields hold the JSON text the adapter wrote, so equal JSON is an equal string
            ConditionExpression: expected === undefined ? 'attribute_not_exists(#f)' : '#f = :old',
            ExpressionAttributeNames: { '#f': FIELD_PREFIX + field, ...(expiry ? { '#ttl': TTL_ATTRIBUTE } : {}) },
            ExpressionAttributeValues: {
              ':v': { S: JSON.stringify(value) },
              ...(expected === undefined ? {} : { ':old': { S: JSON.stringify(expected) } }),
              ...(expiry ? { ':ttl': expiry } : {}),
            },
            ReturnValues: 'ALL_NEW',
          }),
        ),
      );
      return { set: true, fields: fieldsOf(r.Attributes ?? {}) };
    } catch (err) {
      if (!isConditionFailed(err)) throw err;
      // Not ours to write: report the item as it stands, strongly consistent.
      const r = await this.call(region, table, (c, TableName) =>
        c.send(new GetItemCommand({ TableName, Key: { key: { S: key } }, ConsistentRead: true })),
      );
      // The SDK retries a request whose response was lost; if the first attempt was applied,
      // the retry fails its condition against our own write. Callers write values unique to
      // themselves (the runtime adds a nonce), so finding exactly our value means we set it.
      const mine = r.Item?.[FIELD_PREFIX + field]?.S === JSON.stringify(value);
      return { set: mine, fields: fieldsOf(r.Item ?? {}) };
    }
  }
}

function isConditionFailed(err: unknown): boolean {
  return err instanceof ConditionalCheckFailedException || (err as Error)?.name === 'ConditionalCheckFailedException';
}

function fieldsOf(item: Record<string, AttributeValue>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(item)) {
    if (name.startsWith(FIELD_PREFIX) && v.S !== undefined) out[name.slice(FIELD_PREFIX.length)] = JSON.parse(v.S);
  }
  return out;
}

/** A plain item's `value`, or the field map of an item written by setFieldOnce. */
function decodeItem(item: Record<string, AttributeValue>): unknown {
  if (item.value?.S !== undefined) return JSON.parse(item.value.S);
  return fieldsOf(item);
}

/**
 * A store on one DynamoDB-protocol endpoint that serves every region (the local cloud's
 * embedded dynalite): the region becomes part of the table name. `destroy` closes the client.
 */
export function singleEndpointStore(endpoint: string, opts: { activePollMs?: number } = {}): { store: DynamoDbKeyValueStore; destroy: () => void } {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-west-2',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    maxAttempts: 2,
  });
  const store = new DynamoDbKeyValueStore({ clientFor: () => client, physicalName: (region, table) => `${region}.${table}`, activePollMs: opts.activePollMs });
  return { store, destroy: () => client.destroy() };
}
