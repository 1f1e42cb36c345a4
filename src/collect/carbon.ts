/**
 * Carbon collector: writes carbon_region_table[region] = grid intensity for each UTC hour of the
 * requested date, their mean ("overall"), and great-circle distances to every other region.
 * Source: the snapshot's month × hour profile, or Electricity Maps (history + Holt–Winters forecast)
 * when ELECTRICITY_MAPS_AUTH_TOKEN is set, falling back to the snapshot per region with a warning.
 */
import { AvailableRegion, CarbonRegionRecord } from '../model/region-data';
import { decodeOrThrow } from '../model/decode';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { KeyValueStore } from '../cloud/ports/key-value';
import { carbonProfile, carbonSource, haversineKm, hasSnapshotRegion } from '../data/snapshot';
import { CollectOptions, CollectReport, resolveFetch, resolveLive, warner } from './options';
import { collectionRegions, ensureSystemTable, stampCollected } from './regions';
import { carbonDayFromHistory, fetchPastRange, historyWindow, HourlySeries } from './live/electricity-maps';

/** YYYY-MM-DD of a date in UTC. */
export function utcDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

const round = (x: number, digits: number) => Math.round(x * 10 ** digits) / 10 ** digits;

/** Builds a carbon record from 24 hourly values. */
function record(region: AvailableRegion, hours: number[], all: AvailableRegion[], date: Date, source: string): CarbonRegionRecord {
  const averages: Record<string, { carbon_intensity: number }> = {};
  hours.forEach((v, h) => (averages[String(h)] = { carbon_intensity: round(v, 2) }));
  averages.overall = { carbon_intensity: round(hours.reduce((a, b) => a + b, 0) / hours.length, 2) };
  const transmission_distances: Record<string, number> = {};
  for (const other of all) transmission_distances[other.code] = round(haversineKm(region, other), 1);
  return { region: region.code, averages, units: 'gCO2eq/kWh', transmission_distances, transmission_distances_unit: 'km', for_date: utcDay(date), source, filled: [] };
}

/** The snapshot's 24 hourly values for the date's month, with a description of their source. */
export function snapshotCarbonDay(code: string, date: Date): { hours: number[]; source: string } {
  const s = carbonSource(code);
  return { hours: carbonProfile(code, date.getUTCMonth() + 1), source: `snapshot: Electricity Maps ${s.zone} ${s.year}, mean of month ${date.getUTCMonth() + 1} per UTC hour` };
}

/** Writes carbon_region_table for every collection region (see collectionRegions) for `opts.date` (default today). */
export async function collectCarbon(tables: KeyValueStore, opts: CollectOptions = {}): Promise<CollectReport> {
  const { warnings, warn } = warner(opts);
  const date = opts.date ?? new Date();
  const now = new Date();
  const { targets: regions, all } = await collectionRegions(tables, opts.regions);
  await ensureSystemTable(tables, TABLES.carbonRegion);
  const live = resolveLive(opts).carbon;
  const report: CollectReport = { collector: 'carbon', written: { [TABLES.carbonRegion]: [] }, sources: {}, warnings };

  // regions share zones (us-east-1 and us-east-2 are both PJM): fetch each zone once
  const histories = new Map<string, Promise<HourlySeries>>();
  const window = historyWindow(date, now);

  for (const region of regions) {
    let day: { hours: number[]; source: string } | undefined;
    if (live) {
      try {
        let h = histories.get(region.grid_zone);
        if (!h) {
          h = fetchPastRange(resolveFetch(opts), live, region.grid_zone, window.start, window.end, opts.timeoutMs);
          histories.set(region.grid_zone, h);
        }
        const d = carbonDayFromHistory(await h, date, region.grid_zone);
        day = {
          hours: d.hours,
          source: `electricitymaps ${region.grid_zone}: ${d.measuredHours} h measured` + (d.forecastHours ? `, ${d.forecastHours} h forecast (Holt-Winters + seasonal naive)` : ''),
        };
      } catch (e) {
        const fallback = hasSnapshotRegion(region.code) ? `using the snapshot for ${region.code}` : `no snapshot data either: ${region.code} not written`;
        warn(`carbon: ${region.code} (${region.grid_zone}): Electricity Maps failed (${(e as Error).message}); ${fallback}`);
      }
    }
    if (!day) {
      if (!hasSnapshotRegion(region.code)) {
        if (!live) warn(`carbon: ${region.code}: not in the bundled snapshot and no live source configured; not written`);
        continue;
      }
      day = snapshotCarbonDay(region.code, date);
    }
    const rec = decodeOrThrow(CarbonRegionRecord, record(region, day.hours, all, date, day.source), `${TABLES.carbonRegion}[${region.code}]`);
    await tables.put(SYSTEM_REGION, TABLES.carbonRegion, region.code, rec);
    await stampCollected(tables, region.code, 'carbon_collected_at', now);
    report.written[TABLES.carbonRegion].push(region.code);
    report.sources[region.code] = day.source;
  }
  return report;
}
