/** The regions a collection covers, and the available_regions table they come from. */
import { AvailableRegion } from '../model/region-data';
import { decodeOrThrow } from '../model/decode';
import { UserError } from '../model/errors';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { KeyValueStore } from '../cloud/ports/key-value';
import { hasSnapshotRegion, snapshotRegion, snapshotRegions } from '../data/snapshot';

/** Ensures the table exists in SYSTEM_REGION (collectors may run on a fresh cloud). */
export async function ensureSystemTable(tables: KeyValueStore, table: string): Promise<void> {
  await tables.ensureTable(SYSTEM_REGION, table);
}

/** Reads every record of available_regions_table (decoded; a malformed record is an error naming its key). */
export async function readAvailableRegions(tables: KeyValueStore): Promise<AvailableRegion[]> {
  await ensureSystemTable(tables, TABLES.availableRegions);
  const out: AvailableRegion[] = [];
  for (const key of await tables.keys(SYSTEM_REGION, TABLES.availableRegions)) {
    const value = await tables.get(SYSTEM_REGION, TABLES.availableRegions, key);
    if (value === undefined) continue;
    out.push(decodeOrThrow(AvailableRegion, value, `${TABLES.availableRegions}[${key}]`));
  }
  return out;
}

/** The snapshot's description of a region as an available_regions record. */
export function snapshotAvailableRegion(code: string): AvailableRegion {
  const r = snapshotRegion(code);
  return { provider: 'aws', code: r.code, name: r.name, latitude: r.latitude, longitude: r.longitude, grid_zone: r.grid_zone };
}

/** Applies a user's `regions` filter; an unknown code is a UserError listing the known ones. */
export function restrict(all: AvailableRegion[], wanted: string[] | undefined): AvailableRegion[] {
  if (!wanted || wanted.length === 0) return all;
  const known = new Map(all.map((r) => [r.code, r]));
  const unknown = wanted.filter((c) => !known.has(c));
  if (unknown.length) throw new UserError(`unknown region(s) ${unknown.join(', ')}; available: ${[...known.keys()].join(', ')}`);
  return wanted.map((c) => known.get(c)!);
}

/**
 * The regions carbon and performance collection covers: those in available_regions_table, or the
 * snapshot's regions when the table is still empty (a fresh cloud before the provider collector ran).
 * `targets` are the regions to write (the `wanted` subset); `all` are every available region, which
 * distances and latencies are measured to, so a restricted run still writes complete records.
 */
export async function collectionRegions(tables: KeyValueStore, wanted?: string[]): Promise<{ targets: AvailableRegion[]; all: AvailableRegion[] }> {
  const listed = await readAvailableRegions(tables);
  const all = (listed.length ? listed : snapshotRegions().map((r) => snapshotAvailableRegion(r.code))).sort((a, b) => a.code.localeCompare(b.code));
  return { targets: restrict(all, wanted), all };
}

/** Stamps `<collector>_collected_at` on a region's available_regions record, if it has one. */
export async function stampCollected(tables: KeyValueStore, code: string, field: 'provider_collected_at' | 'carbon_collected_at' | 'performance_collected_at', at: Date): Promise<void> {
  const value = await tables.get(SYSTEM_REGION, TABLES.availableRegions, code);
  if (value === undefined) return;
  const rec = decodeOrThrow(AvailableRegion, value, `${TABLES.availableRegions}[${code}]`);
  await tables.put(SYSTEM_REGION, TABLES.availableRegions, code, { ...rec, [field]: at.toISOString() });
}

export { hasSnapshotRegion };
