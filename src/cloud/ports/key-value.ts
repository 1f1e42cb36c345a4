/**
 * Key-value tables (DynamoDB on AWS, dynalite locally): one item per key, holding a JSON
 * value. Records are encoded/decoded with src/model codecs by the caller, never here.
 * Every method is region-scoped because join tables live in each region; system tables
 * live in SYSTEM_REGION.
 */
export interface KeyValueStore {
  /** Creates the table if missing (idempotent). */
  ensureTable(region: string, table: string): Promise<void>;
  /** Deletes the table if present. */
  dropTable(region: string, table: string): Promise<void>;
  /** Reads one item's value, strongly consistent; undefined when absent. */
  get(region: string, table: string, key: string): Promise<unknown | undefined>;
  /** Writes one item's value; with `ifAbsent`, returns false (and writes nothing) when the key exists. */
  put(region: string, table: string, key: string, value: unknown, opts?: { ifAbsent?: boolean }): Promise<boolean>;
  /** Deletes one item (no error when absent). */
  delete(region: string, table: string, key: string): Promise<void>;
  /** Every key of the table, across all pages. */
  keys(region: string, table: string): Promise<string[]>;
  /**
   * Atomically sets `field` of the item's map to `value` unless that field is already set,
   * and returns the whole map after the write plus whether this call set it. The join
   * protocol is built on this single-item conditional update. Adapters that retry may find
   * their own earlier write: they report `set` when the stored value equals `value`, so
   * callers that need to know who won write values unique to themselves (a nonce).
   */
  setFieldOnce(region: string, table: string, key: string, field: string, value: unknown): Promise<{ set: boolean; fields: Record<string, unknown> }>;
  /**
   * Atomically sets `field` to `value` if the field currently holds `expected` (compared as
   * JSON; `undefined`: the field is absent), and returns the whole map after the call plus
   * whether this call set it. The runtime's execution leases are built on it (take over a
   * lease that expired or that this delivery itself held). As with setFieldOnce, an adapter
   * that retries a write whose response was lost reports `set` when the stored value equals
   * `value`, so callers write values unique to themselves.
   */
  replaceField(region: string, table: string, key: string, field: string, expected: unknown | undefined, value: unknown): Promise<{ set: boolean; fields: Record<string, unknown> }>;
}
