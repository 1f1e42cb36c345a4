import { strict as assert } from 'assert';
import { runCli } from '../support/cli';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { openCloud } from '../../src/cloud/open';
import { decodeOrThrow } from '../../src/model/decode';
import { UserError } from '../../src/model/errors';
import { CarbonRegionRecord, PerformanceRegionRecord, ProviderRegionRecord } from '../../src/model/region-data';
import { SYSTEM_REGION, TABLES } from '../../src/model/tables';

const run = runCli;

describe('caribou data_collect (local cloud, no network, no keys)', function () {
  // the local cloud starts an embedded DynamoDB server
  this.timeout(30_000);
  let home: string;
  const saved = { home: process.env.CARIBOU_HOME, token: process.env.ELECTRICITY_MAPS_AUTH_TOKEN };

  before(() => {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'caribou-data-'));
    process.env.CARIBOU_HOME = home;
    delete process.env.ELECTRICITY_MAPS_AUTH_TOKEN;
  });
  after(() => {
    if (saved.home === undefined) delete process.env.CARIBOU_HOME;
    else process.env.CARIBOU_HOME = saved.home;
    if (saved.token !== undefined) process.env.ELECTRICITY_MAPS_AUTH_TOKEN = saved.token;
    fs.rmSync(home, { recursive: true, force: true });
  });

  it('writes provider, carbon and performance records into the target cloud and says what it wrote', async () => {
    const { out, err } = await run(['data_collect', 'all', '--date', '2026-01-05', '-r', 'eu-north-1,us-east-1']);
    assert.equal(err, '');
    assert.match(out, /provider: wrote 2 record\(s\) to provider_region_table: eu-north-1, us-east-1/);
    assert.match(out, /carbon: wrote 2 record\(s\) to carbon_region_table/);
    assert.match(out, /performance: wrote 2 record\(s\) to performance_region_table/);
    assert.match(out, /ODbL/);
    const cloud = await openCloud({ target: 'local', home });
    try {
      const c = decodeOrThrow(CarbonRegionRecord, await cloud.tables.get(SYSTEM_REGION, TABLES.carbonRegion, 'eu-north-1'), 'carbon');
      assert.equal(c.for_date, '2026-01-05');
      decodeOrThrow(ProviderRegionRecord, await cloud.tables.get(SYSTEM_REGION, TABLES.providerRegion, 'us-east-1'), 'provider');
      const p = decodeOrThrow(PerformanceRegionRecord, await cloud.tables.get(SYSTEM_REGION, TABLES.performanceRegion, 'us-east-1'), 'performance');
      assert.deepEqual(Object.keys(p.transmission_latency).sort(), ['eu-north-1', 'us-east-1']);
    } finally {
      await cloud.close();
    }
  });

  it('rejects an unknown collector or date in plain words', async () => {
    await assert.rejects(run(['data_collect', 'weather']), (e: unknown) => e instanceof UserError && /one of provider, carbon/.test(e.message));
    await assert.rejects(run(['data_collect', 'carbon', '--date', 'yesterday']), (e: unknown) => e instanceof UserError && /ISO date/.test(e.message));
  });
});
