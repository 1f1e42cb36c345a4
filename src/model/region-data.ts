import * as t from 'io-ts';
import { IsoTime, NonNegative, RegionCode } from './primitives';

/** available_regions_table[region]: a region the solver may place functions in. */
export const AvailableRegion = t.intersection([
  t.strict({
    provider: t.literal('aws'),
    code: RegionCode,
    name: t.string,
    latitude: t.number,
    longitude: t.number,
    grid_zone: t.string,
  }),
  t.exact(t.partial({ provider_collected_at: IsoTime, carbon_collected_at: IsoTime, performance_collected_at: IsoTime })),
]);
export type AvailableRegion = t.TypeOf<typeof AvailableRegion>;

const PerArch = t.strict({ x86_64: NonNegative, arm64: NonNegative });

/**
 * provider_region_table[region]: prices (USD) and power constants. The solver reads exactly
 * these keys (Caribou's loader read other names, so its SNS and DynamoDB prices were defaults).
 * `filled` lists the dotted paths of values that came from a documented fill rule, not data.
 */
export const ProviderRegionRecord = t.strict({
  region: RegionCode,
  execution_cost: t.strict({
    /** USD per request */
    invocation_cost: PerArch,
    /** USD per GB-second */
    compute_cost: PerArch,
  }),
  transmission_cost: t.strict({
    /** USD per GB leaving AWS to the internet */
    global_data_transfer: NonNegative,
    /** USD per GB to another AWS region */
    provider_data_transfer: NonNegative,
  }),
  /** USD per publish request (per 64 KB chunk) */
  sns_cost: t.strict({ request_cost: NonNegative }),
  /** USD per on-demand request unit */
  dynamodb_cost: t.strict({ read_request_cost: NonNegative, write_request_cost: NonNegative }),
  pue: NonNegative,
  /** kW per GB of memory */
  average_memory_power: NonNegative,
  /** kW per vCPU at full and idle load */
  max_cpu_power: NonNegative,
  min_cpu_power: NonNegative,
  available_architectures: t.array(t.union([t.literal('x86_64'), t.literal('arm64')])),
  filled: t.array(t.string),
  source: t.string,
});
export type ProviderRegionRecord = t.TypeOf<typeof ProviderRegionRecord>;

const Intensity = t.strict({ carbon_intensity: NonNegative });

/** carbon_region_table[region]: grid intensity in gCO2e/kWh, overall and for hours "0"…"23" (UTC). */
export const CarbonRegionRecord = t.strict({
  region: RegionCode,
  averages: t.record(t.string, Intensity), // "overall" and "0".."23"
  units: t.literal('gCO2eq/kWh'),
  transmission_distances: t.record(t.string, NonNegative),
  transmission_distances_unit: t.literal('km'),
  /** the date (UTC) the hourly profile is for */
  for_date: t.string,
  source: t.string,
  filled: t.array(t.string),
});
export type CarbonRegionRecord = t.TypeOf<typeof CarbonRegionRecord>;

/** performance_region_table[region]: latency distributions (seconds) to every other region. */
export const PerformanceRegionRecord = t.strict({
  region: RegionCode,
  relative_performance: NonNegative,
  transmission_latency: t.record(t.string, t.strict({ latency_distribution: t.array(NonNegative), unit: t.literal('s') })),
  source: t.string,
  filled: t.array(t.string),
});
export type PerformanceRegionRecord = t.TypeOf<typeof PerformanceRegionRecord>;
