import { strict as assert } from 'assert';
import { MemoryKeyValueStore } from '../../src/cloud/memory/key-value';
import { collectProvider, snapshotProviderRecord } from '../../src/collect';
import { offerUrl, parseDataTransferPrices, parseDynamoDbPrices, parseLambdaPrices, parseSnsPrice } from '../../src/collect/live/aws-price-list';
import { LiveSourceError } from '../../src/collect/live/http';
import { decodeOrThrow } from '../../src/model/decode';
import { ProviderRegionRecord } from '../../src/model/region-data';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';
import { Answer, fakeFetch, fixture } from './helpers';

const SERVICES = ['AWSLambda', 'AmazonSNS', 'AmazonDynamoDB', 'AWSDataTransfer'] as const;
const OFFER = Object.fromEntries(SERVICES.map((s) => [s, fixture(`aws-price-list/${s}-us-east-1.json`)])) as Record<string, unknown>;
const CONFIG = { prices: { baseUrl: 'https://pricing.example' } };

/** Serves the recorded us-east-1 offers for any region (relabelled), with some answers overridden. */
function priceFetch(override: (service: string, region: string) => Answer | undefined = () => undefined) {
  return fakeFetch((url) => {
    const m = /\/offers\/v1\.0\/aws\/([^/]+)\/current\/([^/]+)\/index\.json$/.exec(url);
    if (!m) return { status: 400 };
    const [, service, region] = m;
    const o = override(service, region);
    if (o) return o;
    const text = JSON.stringify(OFFER[service]).replace(/"us-east-1"/g, JSON.stringify(region));
    return { json: JSON.parse(text) };
  });
}

describe('AWS Price List live source (recorded offer files)', () => {
  it('parses Lambda first-tier compute and request prices, skipping free tier and other groups', () => {
    assert.deepEqual(parseLambdaPrices(OFFER.AWSLambda, 'us-east-1'), {
      compute: { x86_64: 0.0000166667, arm64: 0.0000133334 },
      request: { x86_64: 0.0000002, arm64: 0.0000002 },
    });
  });

  it('parses SNS publish (after the free million), DynamoDB standard request units and transfer prices', () => {
    assert.equal(parseSnsPrice(OFFER.AmazonSNS, 'us-east-1'), 0.0000005);
    assert.deepEqual(parseDynamoDbPrices(OFFER.AmazonDynamoDB, 'us-east-1'), { read: 0.000000125, write: 0.000000625 });
    assert.deepEqual(parseDataTransferPrices(OFFER.AWSDataTransfer, 'us-east-1'), { internet: 0.09, interRegion: 0.02, exceptions: { 'us-east-2': 0.01 } });
  });

  it('rejects offer files that lack what is needed, saying what', () => {
    assert.throws(() => parseLambdaPrices(OFFER.AmazonSNS, 'us-east-1'), (e: unknown) => e instanceof LiveSourceError && /AWS-Lambda-Duration in us-east-1/.test(e.message));
    assert.throws(() => parseSnsPrice({ products: {} }, 'us-east-1'), (e: unknown) => e instanceof LiveSourceError && /terms/.test(e.message));
    assert.throws(() => parseDataTransferPrices(OFFER.AWSDataTransfer, 'eu-west-1'), LiveSourceError);
  });

  it('writes live records that decode and clears the filled marks of live values', async () => {
    const kv = new MemoryKeyValueStore();
    const fetch = priceFetch();
    const report = await collectProvider(kv, { live: CONFIG, fetch, regions: ['us-east-1'] });
    assert.deepEqual(report.warnings, []);
    assert.deepEqual(fetch.calls.sort(), SERVICES.map((s) => offerUrl(CONFIG.prices, s, 'us-east-1')).sort());
    const r = decodeOrThrow(ProviderRegionRecord, await kv.get(SYSTEM_REGION, TABLES.providerRegion, 'us-east-1'), 'p');
    assert.equal(r.source, 'aws-price-list');
    assert.deepEqual(r.filled, []);
    assert.equal(r.dynamodb_cost.read_request_cost, 0.000000125);
    assert.equal(r.transmission_cost.provider_data_transfer, 0.02);
    assert.equal(r.transmission_cost.global_data_transfer, 0.09);
  });

  it('takes a failed service from the snapshot for that region only, with a warning naming the region', async () => {
    const kv = new MemoryKeyValueStore();
    const fetch = priceFetch((service, region) => (region === 'eu-west-3' && service === 'AmazonSNS' ? { status: 503 } : region === 'eu-west-3' && service === 'AWSLambda' ? { json: { products: {}, terms: { OnDemand: {} } } } : undefined));
    const report = await collectProvider(kv, { live: CONFIG, fetch, regions: ['us-east-1', 'eu-west-3'] });
    assert.equal(report.warnings.length, 2);
    assert.ok(report.warnings.every((w) => w.startsWith('provider: eu-west-3:') && w.includes('using the snapshot for eu-west-3')));
    const paris = decodeOrThrow(ProviderRegionRecord, await kv.get(SYSTEM_REGION, TABLES.providerRegion, 'eu-west-3'), 'p');
    assert.equal(paris.source, 'aws-price-list (data-transfer, dynamodb) + snapshot (lambda, sns)');
    const snap = snapshotProviderRecord('eu-west-3');
    assert.deepEqual(paris.execution_cost, snap.execution_cost);
    assert.ok(paris.filled.includes('sns_cost.request_cost') && paris.filled.includes('execution_cost.compute_cost.x86_64'));
    assert.ok(!paris.filled.includes('dynamodb_cost.read_request_cost'), 'live DynamoDB prices are not filled');
    const virginia = decodeOrThrow(ProviderRegionRecord, await kv.get(SYSTEM_REGION, TABLES.providerRegion, 'us-east-1'), 'p');
    assert.equal(virginia.source, 'aws-price-list');
  });
});
