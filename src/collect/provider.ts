/**
 * Provider collector: writes available_regions_table (the regions the solver may use) and
 * provider_region_table (prices and power constants) — from the snapshot, or from the AWS Price
 * List API when configured, falling back to the snapshot per region and service with a warning.
 */
import { AvailableRegion, ProviderRegionRecord } from '../model/region-data';
import { decodeOrThrow } from '../model/decode';
import { SYSTEM_REGION, TABLES } from '../model/tables';
import type { KeyValueStore } from '../cloud/ports/key-value';
import { regionPrices, snapshotRegions } from '../data/snapshot';
import { CollectOptions, CollectReport, resolveFetch, resolveLive, warner } from './options';
import { ensureSystemTable, readAvailableRegions, restrict, snapshotAvailableRegion } from './regions';
import { fetchOffer, parseDataTransferPrices, parseDynamoDbPrices, parseLambdaPrices, parseSnsPrice } from './live/aws-price-list';

/** Power and efficiency constants of the carbon model (Caribou's values, same for every AWS region). */
export const POWER_CONSTANTS = {
  /** data-centre power usage effectiveness */
  pue: 1.11,
  /** kW per GB of memory */
  average_memory_power: 0.0003725,
  /** kW per vCPU at full load */
  max_cpu_power: 0.0035,
  /** kW per vCPU idle */
  min_cpu_power: 0.00074,
} as const;

/** A provider record built from the snapshot; `filled` names the snapshot's filled values. */
export function snapshotProviderRecord(code: string): ProviderRegionRecord {
  const p = regionPrices(code);
  const filled: string[] = [];
  const take = (path: string, item: { usd: number; filled: boolean }) => {
    if (item.filled) filled.push(path);
    return item.usd;
  };
  const record: ProviderRegionRecord = {
    region: code,
    execution_cost: {
      invocation_cost: { x86_64: take('execution_cost.invocation_cost.x86_64', p.lambda.request.x86_64), arm64: take('execution_cost.invocation_cost.arm64', p.lambda.request.arm64) },
      compute_cost: { x86_64: take('execution_cost.compute_cost.x86_64', p.lambda.compute.x86_64), arm64: take('execution_cost.compute_cost.arm64', p.lambda.compute.arm64) },
    },
    transmission_cost: {
      global_data_transfer: take('transmission_cost.global_data_transfer', p.transfer_internet_per_gb),
      provider_data_transfer: take('transmission_cost.provider_data_transfer', p.transfer_inter_region_per_gb),
    },
    sns_cost: { request_cost: take('sns_cost.request_cost', p.sns_publish) },
    dynamodb_cost: {
      read_request_cost: take('dynamodb_cost.read_request_cost', p.dynamodb_read_request_unit),
      write_request_cost: take('dynamodb_cost.write_request_cost', p.dynamodb_write_request_unit),
    },
    ...POWER_CONSTANTS,
    available_architectures: [],
    filled,
    source: 'snapshot',
  };
  record.available_architectures = architectures(record);
  return record;
}

/** Architectures with a non-zero price are the ones Lambda offers there (Caribou's rule). */
function architectures(r: ProviderRegionRecord): Array<'x86_64' | 'arm64'> {
  return (['x86_64', 'arm64'] as const).filter((a) => r.execution_cost.compute_cost[a] > 0 && r.execution_cost.invocation_cost[a] > 0);
}

/** Replaces a service's snapshot values by live ones, dropping their `filled` marks. */
async function liveRecord(base: ProviderRegionRecord, code: string, opts: CollectOptions, warn: (m: string) => void): Promise<ProviderRegionRecord> {
  const live = resolveLive(opts).prices!;
  const fetch = resolveFetch(opts);
  const r: ProviderRegionRecord = structuredClone(base);
  const liveServices: string[] = [];
  const snapshotServices: string[] = [];
  const unfill = (prefix: string) => (r.filled = r.filled.filter((f) => !f.startsWith(prefix)));
  const attempt = async (name: string, run: () => Promise<void>) => {
    try {
      await run();
      liveServices.push(name);
    } catch (e) {
      snapshotServices.push(name);
      warn(`provider: ${code}: ${name} prices from the AWS Price List failed (${(e as Error).message}); using the snapshot for ${code}`);
    }
  };
  await Promise.all([
    attempt('lambda', async () => {
      const l = parseLambdaPrices(await fetchOffer(fetch, live, 'AWSLambda', code, opts.timeoutMs), code);
      r.execution_cost = { compute_cost: l.compute, invocation_cost: l.request };
      unfill('execution_cost.');
    }),
    attempt('sns', async () => {
      r.sns_cost = { request_cost: parseSnsPrice(await fetchOffer(fetch, live, 'AmazonSNS', code, opts.timeoutMs), code) };
      unfill('sns_cost.');
    }),
    attempt('dynamodb', async () => {
      const d = parseDynamoDbPrices(await fetchOffer(fetch, live, 'AmazonDynamoDB', code, opts.timeoutMs), code);
      r.dynamodb_cost = { read_request_cost: d.read, write_request_cost: d.write };
      unfill('dynamodb_cost.');
    }),
    attempt('data-transfer', async () => {
      const d = parseDataTransferPrices(await fetchOffer(fetch, live, 'AWSDataTransfer', code, opts.timeoutMs), code);
      r.transmission_cost = { global_data_transfer: d.internet, provider_data_transfer: d.interRegion };
      unfill('transmission_cost.');
    }),
  ]);
  r.available_architectures = architectures(r);
  r.source = snapshotServices.length === 0 ? 'aws-price-list' : liveServices.length === 0 ? 'snapshot' : `aws-price-list (${liveServices.sort().join(', ')}) + snapshot (${snapshotServices.sort().join(', ')})`;
  return r;
}

/**
 * Writes available_regions_table and provider_region_table in SYSTEM_REGION for every snapshot
 * region (or `opts.regions`). Existing collector timestamps on region records are kept.
 */
export async function collectProvider(tables: KeyValueStore, opts: CollectOptions = {}): Promise<CollectReport> {
  const { warnings, warn } = warner(opts);
  const now = new Date();
  const regions = restrict(
    snapshotRegions().map((r) => snapshotAvailableRegion(r.code)),
    opts.regions,
  );
  await ensureSystemTable(tables, TABLES.availableRegions);
  await ensureSystemTable(tables, TABLES.providerRegion);
  const existing = new Map((await readAvailableRegions(tables)).map((r) => [r.code, r]));
  const live = resolveLive(opts).prices;
  const report: CollectReport = { collector: 'provider', written: { [TABLES.availableRegions]: [], [TABLES.providerRegion]: [] }, sources: {}, warnings };

  // a few regions at a time: each needs four offer files, some of them large
  const BATCH = 4;
  for (let i = 0; i < regions.length; i += BATCH) {
    const batch = regions.slice(i, i + BATCH);
    const records = await Promise.all(
      batch.map(async (region) => {
        const base = snapshotProviderRecord(region.code);
        return live ? liveRecord(base, region.code, opts, warn) : base;
      }),
    );
    for (const [k, region] of batch.entries()) {
      const record = decodeOrThrow(ProviderRegionRecord, records[k], `${TABLES.providerRegion}[${region.code}]`);
      const prior = existing.get(region.code);
      const available = decodeOrThrow(AvailableRegion, { ...(prior ?? {}), ...region, provider_collected_at: now.toISOString() }, `${TABLES.availableRegions}[${region.code}]`);
      await tables.put(SYSTEM_REGION, TABLES.providerRegion, region.code, record);
      await tables.put(SYSTEM_REGION, TABLES.availableRegions, region.code, available);
      report.written[TABLES.providerRegion].push(region.code);
      report.written[TABLES.availableRegions].push(region.code);
      report.sources[region.code] = record.source;
    }
  }
  return report;
}
