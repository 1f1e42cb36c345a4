import { strict as assert } from 'assert';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { collectPerformance } from '../../src/collect';
import { parseLatencyMatrix } from '../../src/collect/live/cloudping';
import { LiveSourceError } from '../../src/collect/live/http';
import { latencyMedianS, snapshotRegions } from '../../src/data/snapshot';
import { decodeOrThrow } from '../../src/model/decode';
import { PerformanceRegionRecord } from '../../src/model/region-data';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { Answer, fakeFetch, fixture } from './helpers';

const P50 = fixture('cloudping/p_50-1Y-2025-05-29.json') as { data: Record<string, Record<string, number>> };
const P10 = fixture('cloudping/p_10-1Y-SYNTHETIC.json');
const P90 = fixture('cloudping/p_90-1Y-SYNTHETIC.json');
const REGIONS = ['us-east-1', 'eu-west-1', 'eu-central-1'];

function pingFetch(answers: Record<string, Answer>) {
  return fakeFetch((url) => answers[new URL(url).searchParams.get('percentile')!] ?? { status: 404 });
}
const cfg = (percentiles: number[]) => ({ latency: { url: 'https://ping.example/api/latencies', timeframe: '1Y', percentiles } });

async function record(kv: MemoryKeyValueStore, code: string) {
  return decodeOrThrow(PerformanceRegionRecord, await kv.get(SYSTEM_REGION, TABLES.performanceRegion, code), code);
}

describe('CloudPing-style live latency source (recorded responses)', () => {
  it('parses a real cloudping matrix', () => {
    const m = parseLatencyMatrix(P50, 'p50');
    assert.equal(Object.keys(m).length, 32);
    assert.equal(m['us-east-1']['eu-west-1'], P50.data['us-east-1']['eu-west-1']);
    assert.throws(() => parseLatencyMatrix({ metadata: { unit: 'seconds' }, data: {} }, 'p50'), /milliseconds/);
    assert.throws(() => parseLatencyMatrix({ data: { 'us-east-1': { 'eu-west-1': 'fast' } } }, 'p50'), (e: unknown) => e instanceof LiveSourceError && /us-east-1/.test(e.message));
  });

  it('builds one-way distributions from the percentiles, symmetrised, in seconds', async () => {
    const kv = new MemoryKeyValueStore();
    const fetch = pingFetch({ p_10: { json: P10 }, p_50: { json: P50 }, p_90: { json: P90 } });
    const report = await collectPerformance(kv, { live: cfg([10, 50, 90]), fetch, regions: REGIONS });
    assert.deepEqual(report.warnings, []);
    assert.equal(fetch.calls.length, 3);
    assert.ok(fetch.calls.every((u) => /timeframe=1Y/.test(u)));
    const r = await record(kv, 'us-east-1');
    assert.match(r.source, /^cloudping 1Y p10\/p50\/p90$/);
    const d = r.transmission_latency['eu-west-1'].latency_distribution;
    const rtt = (P50.data['us-east-1']['eu-west-1'] + P50.data['eu-west-1']['us-east-1']) / 2;
    assert.ok(Math.abs((d[49] + d[50]) / 2 - rtt / 2000) < 0.0005);
    assert.ok(d[99] <= (rtt * 1.15) / 2000 + 1e-6 && d[95] > d[50]);
  });

  it('uses the snapshot spread model around a live median when only p50 answers', async () => {
    const kv = new MemoryKeyValueStore();
    const report = await collectPerformance(kv, { live: cfg([10, 50, 90]), fetch: pingFetch({ p_50: { json: P50 }, p_10: { status: 500 } }), regions: REGIONS });
    assert.equal(report.warnings.length, 2, 'one per failed percentile');
    const r = await record(kv, 'eu-central-1');
    assert.match(r.source, /snapshot spread model/);
  });

  it('falls back to the snapshot for every region, naming them, when the median fails', async () => {
    const kv = new MemoryKeyValueStore();
    const report = await collectPerformance(kv, { live: cfg([50]), fetch: pingFetch({ p_50: { json: { data: 'broken' } } }), regions: REGIONS });
    assert.equal(report.warnings.length, 1);
    for (const c of REGIONS) assert.ok(report.warnings[0].includes(c));
    const r = await record(kv, 'us-east-1');
    assert.match(r.source, /^snapshot/);
    const d = r.transmission_latency['eu-west-1'].latency_distribution;
    assert.ok(Math.abs((d[49] + d[50]) / 2 / latencyMedianS('us-east-1', 'eu-west-1') - 1) < 0.01);
  });

  it('falls back per region when the source lacks some of its pairs, never writing a partial record', async () => {
    const partial = structuredClone(P50);
    delete partial.data['eu-central-1'];
    for (const row of Object.values(partial.data)) delete row['eu-central-1'];
    const kv = new MemoryKeyValueStore();
    const report = await collectPerformance(kv, { live: cfg([50]), fetch: pingFetch({ p_50: { json: partial } }), regions: REGIONS });
    // every region lacks its pair with eu-central-1, so each falls back, and says so
    assert.equal(report.warnings.length, 3);
    assert.ok(report.warnings.some((w) => w.startsWith('performance: eu-central-1:')));
    for (const c of REGIONS) {
      const r = await record(kv, c);
      assert.match(r.source, /^snapshot/);
      // complete: a distribution to every available region, not only the requested ones
      assert.deepEqual(Object.keys(r.transmission_latency).sort(), snapshotRegions().map((x) => x.code).sort());
    }
  });
});
