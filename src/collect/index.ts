/**
 * Data collectors: provider (prices, region list), carbon (hourly grid intensity) and performance
 * (inter-region latency), each writing Caribou's region tables through the KeyValueStore port.
 * The workflow collector lives in ./workflow (log-sync area).
 */
import type { KeyValueStore } from '../cloud/ports/key-value';
import { collectCarbon } from './carbon';
import type { CollectOptions, CollectReport } from './options';
import { collectPerformance } from './performance';
import { collectProvider } from './provider';

export { collectProvider, snapshotProviderRecord, POWER_CONSTANTS } from './provider';
export { collectCarbon, snapshotCarbonDay } from './carbon';
export { collectPerformance, snapshotLatencySamples, LATENCY_SAMPLES } from './performance';
export { readAvailableRegions, collectionRegions } from './regions';
export { liveConfigFromEnv } from './options';
export type { CollectOptions, CollectReport, FetchLike, LiveConfig } from './options';

/** Runs the provider, carbon and performance collectors in that order (the region list first). */
export async function collectRegionData(tables: KeyValueStore, opts: CollectOptions = {}): Promise<CollectReport[]> {
  return [await collectProvider(tables, opts), await collectCarbon(tables, opts), await collectPerformance(tables, opts)];
}
