import type { KeyValueStore } from '../ports';

/**
 * An in-memory KeyValueStore for unit tests of pure logic (collectors, solver loaders).
 * The local cloud uses the real DynamoDB adapter against dynalite instead.
 */
export class MemoryKeyValueStore implements KeyValueStore {
  private readonly tables = new Map<string, Map<string, unknown>>();

  private table(region: string, table: string, create = false): Map<string, unknown> {
    const id = `${region}/${table}`;
    let t = this.tables.get(id);
    if (!t) {
      if (!create) throw new Error(`table ${table} does not exist in ${region}`);
      t = new Map();
      this.tables.set(id, t);
    }
    return t;
  }

  async ensureTable(region: string, table: string): Promise<void> {
    this.table(region, table, true);
  }
  async dropTable(region: string, table: string): Promise<void> {
    this.tables.delete(`${region}/${table}`);
  }
  async get(region: string, table: string, key: string): Promise<unknown | undefined> {
    const v = this.table(region, table).get(key);
    return v === undefined ? undefined : structuredClone(v);
  }
  async put(region: string, table: string, key: string, value: unknown, opts?: { ifAbsent?: boolean }): Promise<boolean> {
    const t = this.table(region, table);
    if (opts?.ifAbsent && t.has(key)) return false;
    t.set(key, structuredClone(value));
    return true;
  }
  async delete(region: string, table: string, key: string): Promise<void> {
    this.table(region, table).delete(key);
  }
  async keys(region: string, table: string): Promise<string[]> {
    return [...this.table(region, table).keys()].sort();
  }
  async setFieldOnce(region: string, table: string, key: string, field: string, value: unknown): Promise<{ set: boolean; fields: Record<string, unknown> }> {
    const t = this.table(region, table);
    const item = (t.get(key) as Record<string, unknown> | undefined) ?? {};
    const free = !(field in item);
    if (free) item[field] = structuredClone(value);
    t.set(key, item);
    // as the port says: finding exactly our value means an earlier attempt of this call set it
    return { set: free || JSON.stringify(item[field]) === JSON.stringify(value), fields: structuredClone(item) };
  }
  async replaceField(region: string, table: string, key: string, field: string, expected: unknown | undefined, value: unknown): Promise<{ set: boolean; fields: Record<string, unknown> }> {
    const t = this.table(region, table);
    const item = (t.get(key) as Record<string, unknown> | undefined) ?? {};
    const current = field in item ? JSON.stringify(item[field]) : undefined;
    const matches = current === (expected === undefined ? undefined : JSON.stringify(expected));
    if (matches) item[field] = structuredClone(value);
    t.set(key, item);
    return { set: matches || current === JSON.stringify(value), fields: structuredClone(item) };
  }
}
