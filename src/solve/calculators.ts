/**
 * Caribou's cost and carbon formulas, one small pure function each, and the resolution of
 * every per-region parameter from the collectors' records with documented fallbacks.
 * The simulator precomputes products of these per deployment; tests check them by hand.
 */
import type { Architecture } from '../model/manifest';
import * as C from './constants';
import type { SolveInput } from './input';
import { fitLatencyLine } from '../model/workflow-instance';

/** Records which documented fallbacks a solve used (each message once, in first-use order). */
export class FallbackLog {
  private readonly seen = new Set<string>();
  /** Notes one fallback. */
  add(message: string): void {
    this.seen.add(message);
  }
  /** Every fallback noted, in first-use order. */
  list(): string[] {
    return [...this.seen];
  }
}

/** Everything the simulator needs to know about one region, in solver units. */
export interface RegionParams {
  region: string;
  computeCost: Record<Architecture, number>; // USD per GB-s
  invocationCost: Record<Architecture, number>; // USD per request
  egressCost: number; // USD per GB leaving the region for another AWS region
  snsRequestCost: number; // USD per 64 KB chunk
  dynamoReadCost: number; // USD per RRU
  dynamoWriteCost: number; // USD per WRU
  pue: number;
  memoryPower: number; // kW per GB
  minCpuPower: number; // kW per vCPU
  maxCpuPower: number; // kW per vCPU
  relativePerformance: number;
}

/** Resolves one region's prices and power constants; missing records fall back to Caribou's defaults. */
export function regionParams(input: SolveInput, region: string, log: FallbackLog): RegionParams {
  const p = input.provider[region];
  const perf = input.performance[region];
  if (!p) log.add(`prices ${region}: no provider_region record, Caribou's default prices used`);
  if (p?.filled.length) log.add(`prices ${region}: collector filled ${p.filled.join(', ')}`);
  return {
    region,
    computeCost: p ? { ...p.execution_cost.compute_cost } : { x86_64: C.COMPUTE_COST_DEFAULT, arm64: C.COMPUTE_COST_DEFAULT },
    invocationCost: p ? { ...p.execution_cost.invocation_cost } : { x86_64: C.INVOCATION_COST_DEFAULT, arm64: C.INVOCATION_COST_DEFAULT },
    // Caribou always uses the intra-provider price: every edge it models stays inside AWS
    egressCost: p ? p.transmission_cost.provider_data_transfer : C.TRANSMISSION_COST_DEFAULT,
    snsRequestCost: p ? p.sns_cost.request_cost : C.SNS_REQUEST_COST_DEFAULT,
    dynamoReadCost: p ? p.dynamodb_cost.read_request_cost : C.DYNAMODB_READ_COST_DEFAULT,
    dynamoWriteCost: p ? p.dynamodb_cost.write_request_cost : C.DYNAMODB_WRITE_COST_DEFAULT,
    pue: p ? p.pue : C.PUE_DEFAULT,
    memoryPower: p ? p.average_memory_power : C.MEMORY_POWER_DEFAULT,
    minCpuPower: p ? p.min_cpu_power : C.MIN_CPU_POWER_DEFAULT,
    maxCpuPower: p ? p.max_cpu_power : C.MAX_CPU_POWER_DEFAULT,
    relativePerformance: perf && perf.relative_performance > 0 ? perf.relative_performance : 1,
  };
}

/**
 * Grid intensity (gCO2e/kWh) of a region at an hour key ("0"…"23"), or the daily "overall"
 * when `hour` is null; a missing hour falls back to "overall", a missing region to 410.
 */
export function gridIntensity(input: SolveInput, region: string, hour: string | null, log: FallbackLog): number {
  const rec = input.carbon[region];
  if (!rec) {
    log.add(`carbon ${region}: no carbon_region record, ${C.GRID_CARBON_DEFAULT} gCO2e/kWh used`);
    return C.GRID_CARBON_DEFAULT;
  }
  if (hour !== null) {
    const h = rec.averages[hour];
    if (h) return h.carbon_intensity;
    log.add(`carbon ${region}: no intensity for hour ${hour}, the daily overall used`);
  }
  const o = rec.averages.overall;
  if (o) return o.carbon_intensity;
  log.add(`carbon ${region}: no overall intensity, ${C.GRID_CARBON_DEFAULT} gCO2e/kWh used`);
  return C.GRID_CARBON_DEFAULT;
}

/** Mean of the ping distribution from one region to another (s); tries the reverse direction, then 0.22 s. */
export function meanPing(input: SolveInput, from: string, to: string, log: FallbackLog): number {
  const d = input.performance[from]?.transmission_latency[to]?.latency_distribution ?? input.performance[to]?.transmission_latency[from]?.latency_distribution;
  if (d && d.length > 0) return mean(d);
  log.add(`ping ${from}→${to}: no performance data, ${C.PING_DEFAULT_S} s used`);
  return C.PING_DEFAULT_S;
}

/** Arithmetic mean (0 for an empty list). */
export function mean(xs: readonly number[]): number {
  if (xs.length === 0) return 0;
  let s = 0;
  for (const x of xs) s += x;
  return s / xs.length;
}

/** vCPUs of a Lambda with `memoryMb` (AWS scales CPU with memory: one vCPU per 1769 MB). */
export function vcpuOf(memoryMb: number): number {
  return memoryMb / C.MB_PER_VCPU;
}

/** Execution cost (USD): compute price × GB × s + one request (Caribou: tier 0, no free tier, no 1 ms rounding). */
export function executionCost(computeCostPerGbS: number, invocationCost: number, memoryMb: number, seconds: number): number {
  return computeCostPerGbS * (memoryMb / 1024) * seconds + invocationCost;
}

/** SNS publish cost (USD): one request per started 64 KB chunk, at the destination region's price. */
export function snsCost(sizeGb: number, requestCost: number): number {
  return snsChunks(sizeGb) * requestCost;
}

/** Number of 64 KB SNS request chunks a payload of `sizeGb` is billed as (at least 1). */
export function snsChunks(sizeGb: number): number {
  return Math.max(1, Math.ceil((sizeGb * C.KB_PER_GB) / C.SNS_CHUNK_KB));
}

/** Egress cost (USD): GB leaving the source region for another region × the source's price; 0 inside a region. */
export function egressCost(sizeGb: number, fromRegion: string, toRegion: string, pricePerGb: number): number {
  return fromRegion === toRegion ? 0 : sizeGb * pricePerGb;
}

/** DynamoDB write request units of writing an item of `sizeGb`: one per started KB (at least 1). */
export function writeUnits(sizeGb: number): number {
  return Math.max(1, Math.ceil(sizeGb * C.KB_PER_GB - 1e-9));
}

/** DynamoDB read request units of a strongly consistent read of `sizeGb`: one per started 4 KB (at least 1). */
export function readUnits(sizeGb: number): number {
  return Math.max(1, Math.ceil((sizeGb * C.KB_PER_GB) / 4 - 1e-9));
}

/** DynamoDB cost (USD) of some read and write request units at one region's prices. */
export function dynamoCost(rru: number, wru: number, readCost: number, writeCost: number): number {
  return rru * readCost + wru * writeCost;
}

/** Power draw (kW) of one running function: CPU interpolated by utilisation × vCPUs + memory. */
export function executionPowerKw(memoryMb: number, utilization: number, r: Pick<RegionParams, 'minCpuPower' | 'maxCpuPower' | 'memoryPower'>): number {
  const cpu = (r.minCpuPower + utilization * (r.maxCpuPower - r.minCpuPower)) * vcpuOf(memoryMb);
  return cpu + r.memoryPower * (memoryMb / 1024);
}

/**
 * Execution carbon (gCO2e): t · [(Pmin + u·(Pmax−Pmin))·vCPU + Pmem·GB] / 3600 · PUE · I_grid.
 * (Caribou's cfe term is always 0 and omitted.)
 */
export function executionCarbon(seconds: number, memoryMb: number, utilization: number, r: Pick<RegionParams, 'minCpuPower' | 'maxCpuPower' | 'memoryPower' | 'pue'>, intensity: number): number {
  return ((seconds * executionPowerKw(memoryMb, utilization, r)) / 3600) * r.pue * intensity;
}

/**
 * Route intensity (gCO2e/kWh) of data moving between two regions: the region's own intensity
 * inside a region, the mean of both ends between regions, 410 when an end is unknown (null).
 */
export function routeIntensity(fromIntensity: number | null, toIntensity: number | null, sameRegion: boolean): number {
  if (fromIntensity === null || toIntensity === null) return C.GRID_CARBON_DEFAULT;
  return sameRegion ? toIntensity : (fromIntensity + toIntensity) / 2;
}

/** Transmission carbon (gCO2e) of `sizeGb` over a route: GB · 0.001 kWh/GB · I_route. */
export function transmissionCarbon(sizeGb: number, intensity: number): number {
  return sizeGb * C.TRANSMISSION_KWH_PER_GB * intensity;
}

/**
 * Carbon per GB (gCO2e) of data a function moves during its execution that the wrapper did not
 * track (Caribou): half at the US average intensity, half over the route from home to the region.
 */
export function untrackedTransferCarbonPerGb(homeToRegionIntensity: number): number {
  return C.TRANSMISSION_KWH_PER_GB * (0.5 * C.GRID_CARBON_DEFAULT + 0.5 * homeToRegionIntensity);
}

/** Latency size bucket: size rounded up to 10 KB, in KB (Caribou's grouping key). */
export function latencyBucketKb(sizeGb: number): number {
  return Math.max(C.LATENCY_BUCKET_KB, Math.ceil((sizeGb * C.KB_PER_GB) / C.LATENCY_BUCKET_KB - 1e-9) * C.LATENCY_BUCKET_KB);
}

/** Best-fit latency (s) for a size, clamped to [0.7, 1.3] × the mean latency (Caribou). */
export function bestFitLatency(line: { slope_s: number; intercept_s: number; min_latency_s: number; max_latency_s: number }, sizeGb: number): number {
  const v = line.slope_s * sizeGb + line.intercept_s;
  return Math.min(line.max_latency_s, Math.max(line.min_latency_s, v));
}

/** The best-fit line of latency by size (defined with the record it lives in). */
export { fitLatencyLine };
