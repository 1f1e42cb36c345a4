/**
 * Synchronous, dependency-free API over the bundled real-data snapshot (snapshot.json, built by
 * scripts/build-data.ts; sources, licences and every filled value are listed in README.md).
 * Used by the local cloud, the solver's tests, the quickstart and the default collectors.
 *
 * Carbon data © Electricity Maps, ODbL 1.0.
 */
import { UserError } from '../model/errors';
import raw from './snapshot.json';

/** A region the snapshot has data for. */
export interface RegionInfo {
  code: string;
  name: string;
  latitude: number;
  longitude: number;
  /** Electricity Maps zone id, e.g. "US-MIDA-PJM" */
  grid_zone: string;
}

/** One price, with where it came from; `filled` values come from the rule named in `rule`. */
export interface PriceItem {
  usd: number;
  filled: boolean;
  rule?: string;
  source: string;
}

/** Every price the solver reads for a region (USD). */
export interface RegionPrices {
  lambda: {
    /** per GB-second, first tier */
    compute: { x86_64: PriceItem; arm64: PriceItem };
    /** per request */
    request: { x86_64: PriceItem; arm64: PriceItem };
  };
  /** per SNS publish request (each 64 KB chunk counts as one) */
  sns_publish: PriceItem;
  /** per DynamoDB on-demand read request unit */
  dynamodb_read_request_unit: PriceItem;
  /** per DynamoDB on-demand write request unit */
  dynamodb_write_request_unit: PriceItem;
  /** per GB sent to another AWS region (most destinations; see transferInterRegionUsdPerGb) */
  transfer_inter_region_per_gb: PriceItem;
  /** per GB sent to the internet, first tier */
  transfer_internet_per_gb: PriceItem;
}

/** Where a region's carbon profile comes from. */
export interface CarbonSource {
  zone: string;
  year: number;
  /** file in the shared data set the profile was derived from */
  source: string;
  /** mean of the source year, gCO2eq/kWh */
  annual_mean: number;
  /** blank hours in the source, left out of the means */
  missing_source_hours: number;
}

interface SnapshotRegion {
  name: string;
  latitude: number;
  longitude: number;
  grid_zone: string;
  carbon: CarbonSource & { profile: number[][] };
  prices: Record<string, PriceItem>;
  transfer_inter_region_exceptions: Record<string, number>;
}

interface SnapshotFile {
  format: number;
  latency_model: { kind: string; floor_fraction: number; jitter_fraction: number; jitter_sigma: number };
  regions: Record<string, SnapshotRegion>;
  latency: { regions: string[]; rtt_ms: number[][] };
}

const data = raw as unknown as SnapshotFile;
const latencyIndex = new Map(data.latency.regions.map((r, i) => [r, i] as [string, number]));

/** Attribution line to print wherever snapshot carbon data is shown or exported. */
export const SNAPSHOT_ATTRIBUTION = 'Carbon intensity: Electricity Maps (ODbL 1.0); latency: cloudping.co p50; prices: AWS list prices (see src/data/README.md)';

function region(code: string): SnapshotRegion {
  const r = data.regions[code];
  if (!r) throw new UserError(`no bundled data for region "${code}"; known regions: ${Object.keys(data.regions).join(', ')}`);
  return r;
}

/** Every region in the snapshot, sorted by code. */
export function snapshotRegions(): RegionInfo[] {
  return Object.entries(data.regions)
    .map(([code, r]) => ({ code, name: r.name, latitude: r.latitude, longitude: r.longitude, grid_zone: r.grid_zone }))
    .sort((a, b) => a.code.localeCompare(b.code));
}

/** Whether the snapshot has data for the region. */
export function hasSnapshotRegion(code: string): boolean {
  return Object.prototype.hasOwnProperty.call(data.regions, code);
}

/** The snapshot's description of one region; throws a UserError for an unknown region. */
export function snapshotRegion(code: string): RegionInfo {
  const r = region(code);
  return { code, name: r.name, latitude: r.latitude, longitude: r.longitude, grid_zone: r.grid_zone };
}

/** Median round trip in milliseconds (cloudping p50, symmetrised). */
export function latencyRttMs(from: string, to: string): number {
  region(from);
  region(to);
  const i = latencyIndex.get(from);
  const j = latencyIndex.get(to);
  if (i === undefined || j === undefined) throw new UserError(`no bundled latency between "${from}" and "${to}"`);
  return data.latency.rtt_ms[i][j];
}

/** Median one-way latency in seconds: half the median round trip. */
export function latencyMedianS(from: string, to: string): number {
  return latencyRttMs(from, to) / 2 / 1000;
}

/** Parameters of the latency spread model: one-way = m · (floor_fraction + jitter_fraction · exp(jitter_sigma · Z)). */
export function latencySpreadModel(): { floor_fraction: number; jitter_fraction: number; jitter_sigma: number } {
  const { floor_fraction, jitter_fraction, jitter_sigma } = data.latency_model;
  return { floor_fraction, jitter_fraction, jitter_sigma };
}

/** A standard normal variate from two uniforms (Box–Muller); `rand` must return values in [0, 1). */
function standardNormal(rand: () => number): number {
  const u1 = 1 - rand(); // (0, 1]: log stays finite
  const u2 = rand();
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
}

/**
 * Draws one one-way latency in seconds from the documented spread model (README "Latency"):
 * m · (0.9 + 0.1 · exp(0.6 Z)), a propagation floor plus log-normal jitter, median exactly m.
 */
export function sampleLatencyS(from: string, to: string, rand: () => number): number {
  const m = latencyMedianS(from, to);
  const { floor_fraction: f, jitter_fraction: j, jitter_sigma: s } = data.latency_model;
  return m * (f + j * Math.exp(s * standardNormal(rand)));
}

/**
 * The 24 hourly (UTC) mean intensities, gCO2eq/kWh, for `month` 1–12 (January = 1).
 * Index h is the hour starting at h:00 UTC.
 */
export function carbonProfile(code: string, month: number): number[] {
  if (!Number.isInteger(month) || month < 1 || month > 12) throw new RangeError(`month must be 1–12 (January = 1), got ${month}`);
  return [...region(code).carbon.profile[month - 1]];
}

/** Grid carbon intensity, gCO2eq/kWh, for the date's month and UTC hour (any year). */
export function carbonIntensity(code: string, date: Date): number {
  if (Number.isNaN(date.getTime())) throw new RangeError('carbonIntensity: invalid date');
  return region(code).carbon.profile[date.getUTCMonth()][date.getUTCHours()];
}

/** Where the region's carbon profile comes from (zone, year, source file). */
export function carbonSource(code: string): CarbonSource {
  const { profile: _profile, ...rest } = region(code).carbon;
  return { ...rest };
}

/** All prices of a region, each with whether it was filled and by which rule. */
export function regionPrices(code: string): RegionPrices {
  const p = region(code).prices;
  const c = (k: string): PriceItem => ({ ...p[k] });
  return {
    lambda: {
      compute: { x86_64: c('lambda_compute_x86_64'), arm64: c('lambda_compute_arm64') },
      request: { x86_64: c('lambda_request_x86_64'), arm64: c('lambda_request_arm64') },
    },
    sns_publish: c('sns_publish'),
    dynamodb_read_request_unit: c('dynamodb_read_request_unit'),
    dynamodb_write_request_unit: c('dynamodb_write_request_unit'),
    transfer_inter_region_per_gb: c('transfer_inter_region_per_gb'),
    transfer_internet_per_gb: c('transfer_internet_per_gb'),
  };
}

/** USD per GB sent from one region to another (0 within a region; pair exceptions such as us-east-1 → us-east-2 honoured). */
export function transferInterRegionUsdPerGb(from: string, to: string): number {
  if (from === to) return 0;
  const r = region(from);
  region(to);
  return r.transfer_inter_region_exceptions[to] ?? r.prices.transfer_inter_region_per_gb.usd;
}

/** Great-circle distance in km between two snapshot regions (haversine, R = 6371 km, as Caribou). */
export function distanceKm(from: string, to: string): number {
  return haversineKm(region(from), region(to));
}

/** Great-circle distance in km between two coordinates (haversine, R = 6371 km). */
export function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.latitude - a.latitude) * rad;
  const dLon = (b.longitude - a.longitude) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.latitude * rad) * Math.cos(b.latitude * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.min(1, Math.sqrt(h)));
}
