import { strict as assert } from 'assert';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { collectCarbon, collectPerformance, collectProvider, collectRegionData, LATENCY_SAMPLES } from '../../src/collect';
import { carbonProfile, latencyMedianS, regionPrices, snapshotRegions } from '../../src/data/snapshot';
import { decodeOrThrow } from '../../src/model/decode';
import { UserError } from '../../src/model/errors';
import { AvailableRegion, CarbonRegionRecord, PerformanceRegionRecord, ProviderRegionRecord } from '../../src/model/region-data';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';

const DATE = new Date('2026-07-15T09:30:00Z');

async function all(kv: MemoryKeyValueStore, table: string): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const k of await kv.keys(SYSTEM_REGION, table)) out[k] = await kv.get(SYSTEM_REGION, table, k);
  return out;
}

describe('collectors from the bundled snapshot', () => {
  const codes = snapshotRegions().map((r) => r.code);

  it('writes every table with records that decode, keyed by region code in the system region', async () => {
    const kv = new MemoryKeyValueStore();
    const reports = await collectRegionData(kv, { live: false, date: DATE });
    assert.deepEqual(reports.map((r) => r.collector), ['provider', 'carbon', 'performance']);
    for (const r of reports) assert.deepEqual(r.warnings, []);
    for (const [table, codec] of [
      [TABLES.availableRegions, AvailableRegion],
      [TABLES.providerRegion, ProviderRegionRecord],
      [TABLES.carbonRegion, CarbonRegionRecord],
      [TABLES.performanceRegion, PerformanceRegionRecord],
    ] as const) {
      const recs = await all(kv, table);
      assert.deepEqual(Object.keys(recs).sort(), [...codes].sort(), table);
      for (const [k, v] of Object.entries(recs)) decodeOrThrow(codec as never, v, `${table}[${k}]`);
    }
    const avail = decodeOrThrow(AvailableRegion, await kv.get(SYSTEM_REGION, TABLES.availableRegions, 'eu-north-1'), 'x');
    assert.ok(avail.provider_collected_at && avail.carbon_collected_at && avail.performance_collected_at, 'each collector stamps its time');
  });

  it('provider records carry snapshot prices and name every filled value', async () => {
    const kv = new MemoryKeyValueStore();
    await collectProvider(kv, { live: false });
    const r = decodeOrThrow(ProviderRegionRecord, await kv.get(SYSTEM_REGION, TABLES.providerRegion, 'us-east-1'), 'p');
    const p = regionPrices('us-east-1');
    assert.equal(r.execution_cost.compute_cost.x86_64, p.lambda.compute.x86_64.usd);
    assert.equal(r.sns_cost.request_cost, 0.5e-6);
    assert.equal(r.dynamodb_cost.write_request_cost, 0.625e-6);
    assert.deepEqual(r.available_architectures, ['x86_64', 'arm64']);
    // us-east-1 Lambda prices are real data; SNS and DynamoDB are filled by rule
    assert.ok(!r.filled.some((f) => f.startsWith('execution_cost')));
    assert.ok(r.filled.includes('sns_cost.request_cost') && r.filled.includes('dynamodb_cost.read_request_cost'));
    const zurich = decodeOrThrow(ProviderRegionRecord, await kv.get(SYSTEM_REGION, TABLES.providerRegion, 'eu-central-2'), 'p');
    assert.ok(zurich.filled.includes('execution_cost.compute_cost.x86_64'));
  });

  it('carbon records hold the snapshot profile of the date’s month, overall = mean, distances in km', async () => {
    const kv = new MemoryKeyValueStore();
    const report = await collectCarbon(kv, { live: false, date: DATE });
    assert.equal(report.written[TABLES.carbonRegion].length, codes.length);
    const r = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-central-1'), 'c');
    const profile = carbonProfile('eu-central-1', 7);
    for (let h = 0; h < 24; h++) assert.ok(Math.abs(r.averages[String(h)].carbon_intensity - profile[h]) < 0.01, `hour ${h}`);
    assert.deepEqual(Object.keys(r.averages).sort(), [...Array.from({ length: 24 }, (_, h) => String(h)), 'overall'].sort());
    assert.ok(Math.abs(r.averages.overall.carbon_intensity - profile.reduce((a, b) => a + b) / 24) < 0.01);
    assert.equal(r.for_date, '2026-07-15');
    assert.equal(r.transmission_distances['eu-central-1'], 0);
    // Frankfurt–Paris is about 480 km
    assert.ok(r.transmission_distances['eu-west-3'] > 400 && r.transmission_distances['eu-west-3'] < 550);
    assert.match(r.source, /^snapshot: Electricity Maps DE/);
  });

  it('performance records hold 100 sorted one-way samples around the snapshot median', async () => {
    const kv = new MemoryKeyValueStore();
    await collectPerformance(kv, { live: false });
    const r = decodeOrThrow(PerformanceRegionRecord, await kv.get(SYSTEM_REGION, TABLES.performanceRegion, 'us-east-1'), 'p');
    assert.deepEqual(Object.keys(r.transmission_latency).sort(), [...codes].sort());
    const d = r.transmission_latency['eu-west-1'].latency_distribution;
    assert.equal(d.length, LATENCY_SAMPLES);
    for (let i = 1; i < d.length; i++) assert.ok(d[i] >= d[i - 1]);
    const m = latencyMedianS('us-east-1', 'eu-west-1');
    assert.ok(Math.abs((d[49] + d[50]) / 2 / m - 1) < 0.01);
    assert.ok(d[0] >= 0.9 * m);
    assert.equal(r.relative_performance, 1);
  });

  it('carbon and performance cover the available regions once the provider collector has run', async () => {
    const kv = new MemoryKeyValueStore();
    await collectProvider(kv, { live: false, regions: ['eu-west-1', 'eu-north-1'] });
    const c = await collectCarbon(kv, { live: false, date: DATE });
    assert.deepEqual(c.written[TABLES.carbonRegion], ['eu-north-1', 'eu-west-1']);
    const rec = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-west-1'), 'c');
    assert.deepEqual(Object.keys(rec.transmission_distances).sort(), ['eu-north-1', 'eu-west-1']);
    const p = await collectPerformance(kv, { live: false });
    assert.deepEqual(p.written[TABLES.performanceRegion], ['eu-north-1', 'eu-west-1']);
  });

  it('a run restricted to some regions still measures distances and latencies to every available region', async () => {
    const kv = new MemoryKeyValueStore();
    await collectProvider(kv, { live: false });
    await collectCarbon(kv, { live: false, date: DATE, regions: ['eu-west-2'] });
    await collectPerformance(kv, { live: false, regions: ['eu-west-2'] });
    assert.deepEqual(await kv.keys(SYSTEM_REGION, TABLES.carbonRegion), ['eu-west-2']);
    const c = decodeOrThrow(CarbonRegionRecord, await kv.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-west-2'), 'c');
    assert.deepEqual(Object.keys(c.transmission_distances).sort(), [...codes].sort());
    const p = decodeOrThrow(PerformanceRegionRecord, await kv.get(SYSTEM_REGION, TABLES.performanceRegion, 'eu-west-2'), 'p');
    assert.deepEqual(Object.keys(p.transmission_latency).sort(), [...codes].sort());
  });

  it('rejects an unknown region with a clear error', async () => {
    await assert.rejects(collectProvider(new MemoryKeyValueStore(), { live: false, regions: ['eu-west-9'] }), (e: unknown) => e instanceof UserError && /eu-west-9/.test(e.message));
  });

  it('ignores live configuration when told to use the snapshot (CARIBOU_DATA_SOURCE=snapshot)', async () => {
    const kv = new MemoryKeyValueStore();
    const r = await collectCarbon(kv, { env: { ELECTRICITY_MAPS_AUTH_TOKEN: 'x', CARIBOU_DATA_SOURCE: 'snapshot' }, fetch: async () => assert.fail('no fetch expected'), regions: ['us-east-1'] });
    assert.match(r.sources['us-east-1'], /^snapshot/);
  });
});
