import { strict as assert } from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import {
  carbonIntensity,
  carbonProfile,
  carbonSource,
  distanceKm,
  latencyMedianS,
  latencyRttMs,
  regionPrices,
  sampleLatencyS,
  snapshotRegions,
  transferInterRegionUsdPerGb,
  PriceItem,
} from '../../src/data/snapshot';
import { UserError } from '../../src/model/errors';
import { mulberry32 } from '../../src/random/mulberry32';

const REQUIRED = ['us-east-1', 'us-east-2', 'us-west-1', 'us-west-2', 'ca-central-1', 'eu-west-1', 'eu-west-2', 'eu-west-3', 'eu-central-1', 'eu-north-1', 'eu-south-1', 'eu-south-2', 'eu-central-2'];

/** A small seeded PRNG (mulberry32) so sampling tests are deterministic. */
const seeded = mulberry32;

function allPrices(code: string): Array<[string, PriceItem]> {
  const p = regionPrices(code);
  return [
    ['lambda.compute.x86_64', p.lambda.compute.x86_64],
    ['lambda.compute.arm64', p.lambda.compute.arm64],
    ['lambda.request.x86_64', p.lambda.request.x86_64],
    ['lambda.request.arm64', p.lambda.request.arm64],
    ['sns_publish', p.sns_publish],
    ['dynamodb_read_request_unit', p.dynamodb_read_request_unit],
    ['dynamodb_write_request_unit', p.dynamodb_write_request_unit],
    ['transfer_inter_region_per_gb', p.transfer_inter_region_per_gb],
    ['transfer_internet_per_gb', p.transfer_internet_per_gb],
  ];
}

describe('data snapshot', () => {
  const regions = snapshotRegions();
  const codes = regions.map((r) => r.code);

  it('covers every required North American and European region, and more', () => {
    for (const c of REQUIRED) assert.ok(codes.includes(c), `missing ${c}`);
    assert.ok(codes.length > REQUIRED.length);
    assert.deepEqual([...codes].sort(), codes, 'sorted by code');
  });

  it('gives every region a name, plausible coordinates and a grid zone', () => {
    for (const r of regions) {
      assert.ok(r.name.length > 0, r.code);
      assert.ok(r.latitude >= -90 && r.latitude <= 90 && r.latitude !== 0, r.code);
      assert.ok(r.longitude >= -180 && r.longitude <= 180 && r.longitude !== 0, r.code);
      assert.match(r.grid_zone, /^[A-Z]{2}(-[A-Z0-9]+)*$/, r.code);
    }
    // Oregon is west of Virginia, Stockholm north of Milan: coordinates are not swapped
    const by = Object.fromEntries(regions.map((r) => [r.code, r]));
    assert.ok(by['us-west-2'].longitude < by['us-east-1'].longitude);
    assert.ok(by['eu-north-1'].latitude > by['eu-south-1'].latitude);
  });

  it('has a carbon intensity for every hour of every month, within 0–1,200 g/kWh', () => {
    for (const c of codes) {
      for (let m = 1; m <= 12; m++) {
        const p = carbonProfile(c, m);
        assert.equal(p.length, 24, `${c} month ${m}`);
        for (const v of p) assert.ok(Number.isFinite(v) && v > 0 && v <= 1200, `${c} month ${m}: ${v}`);
      }
      const s = carbonSource(c);
      assert.ok(s.year >= 2022 && s.annual_mean > 0, c);
    }
  });

  it('reads carbonIntensity from the profile cell of the date’s month and UTC hour', () => {
    const d = new Date('2031-07-04T17:45:00Z');
    assert.equal(carbonIntensity('eu-central-1', d), carbonProfile('eu-central-1', 7)[17]);
    assert.equal(carbonIntensity('eu-central-1', new Date('2025-01-01T00:00:00Z')), carbonProfile('eu-central-1', 1)[0]);
  });

  it('keeps well-known grid orderings (sanity of zone mapping)', () => {
    const annual = (c: string) => carbonSource(c).annual_mean;
    assert.ok(annual('eu-north-1') < 60, 'Sweden is hydro/nuclear');
    assert.ok(annual('ca-central-1') < 60, 'Québec is hydro');
    assert.ok(annual('eu-west-3') < annual('eu-central-1'), 'France is cleaner than Germany');
    assert.ok(annual('us-east-1') > annual('us-west-1'));
  });

  it('has a latency for every pair, positive, symmetric within 20%, smallest within the region', () => {
    for (const a of codes) {
      for (const b of codes) {
        const ab = latencyRttMs(a, b);
        const ba = latencyRttMs(b, a);
        assert.ok(ab > 0 && ab < 500, `${a}→${b}: ${ab}`);
        assert.ok(Math.abs(ab - ba) <= 0.2 * Math.min(ab, ba), `${a}↔${b}: ${ab} vs ${ba}`);
        if (a !== b) assert.ok(latencyRttMs(a, a) < ab, `${a} intra vs ${b}`);
      }
    }
    assert.equal(latencyMedianS('us-east-1', 'eu-west-1'), latencyRttMs('us-east-1', 'eu-west-1') / 2000);
  });

  it('latency roughly follows distance (no pair faster than light in fibre)', () => {
    const fibreKmPerS = 200_000;
    for (const a of codes) for (const b of codes) if (a !== b) assert.ok(latencyMedianS(a, b) >= distanceKm(a, b) / fibreKmPerS, `${a}→${b}`);
  });

  it('samples latency from the documented spread model: median m, floor 0.9 m, p95 ≈ 1.17 m', () => {
    const rand = seeded(42);
    const m = latencyMedianS('us-east-1', 'eu-central-1');
    const xs = Array.from({ length: 20000 }, () => sampleLatencyS('us-east-1', 'eu-central-1', rand)).sort((a, b) => a - b);
    assert.ok(xs[0] >= 0.9 * m);
    assert.ok(Math.abs(xs[10000] / m - 1) < 0.01, `median ${xs[10000]} vs ${m}`);
    assert.ok(Math.abs(xs[19000] / m - 1.168) < 0.02, `p95 ratio ${xs[19000] / m}`);
    // deterministic for a given seed
    const again = seeded(42);
    assert.equal(sampleLatencyS('us-east-1', 'eu-central-1', again), sampleLatencyS('us-east-1', 'eu-central-1', seeded(42)));
  });

  it('has every price > 0, each filled price naming its rule', () => {
    for (const c of codes) {
      for (const [k, p] of allPrices(c)) {
        assert.ok(Number.isFinite(p.usd) && p.usd > 0, `${c} ${k}`);
        assert.ok(p.source.length > 0, `${c} ${k} source`);
        if (p.filled) assert.ok(p.rule && p.rule.length > 10, `${c} ${k} rule`);
        else assert.equal(p.rule, undefined);
      }
      const p = regionPrices(c);
      assert.ok(p.lambda.compute.arm64.usd < p.lambda.compute.x86_64.usd, `${c}: arm64 is cheaper`);
      assert.ok(p.transfer_inter_region_per_gb.usd <= p.transfer_internet_per_gb.usd, `${c}: inter-region ≤ internet`);
    }
    assert.equal(regionPrices('us-east-1').lambda.compute.x86_64.filled, false);
    assert.equal(regionPrices('us-east-1').lambda.compute.x86_64.usd, 0.0000166667);
    assert.equal(regionPrices('eu-south-1').lambda.compute.x86_64.usd, 0.0000195172, 'Milan is a price exception');
  });

  it('applies inter-region transfer pair exceptions and charges nothing within a region', () => {
    assert.equal(transferInterRegionUsdPerGb('us-east-1', 'us-east-2'), 0.01);
    assert.equal(transferInterRegionUsdPerGb('us-east-1', 'eu-west-1'), 0.02);
    assert.equal(transferInterRegionUsdPerGb('eu-west-1', 'eu-west-1'), 0);
  });

  it('lists every filled value with its rule in the README (nothing filled silently)', () => {
    const readme = fs.readFileSync(path.join(__dirname, '../../src/data/README.md'), 'utf8');
    assert.match(readme, /ODbL/);
    for (const c of codes) {
      for (const [, p] of allPrices(c)) {
        if (!p.filled) continue;
        const row = readme.split('\n').find((l) => l.startsWith(`| ${c} | prices.`) && l.includes(`| ${p.usd} | ${p.rule} |`));
        assert.ok(row, `README lacks the filled ${c} value ${p.usd}`);
      }
    }
  });

  it('rejects unknown regions and months with clear errors', () => {
    assert.throws(() => carbonProfile('xx-nowhere-1', 1), (e: unknown) => e instanceof UserError && /xx-nowhere-1/.test(e.message));
    assert.throws(() => latencyMedianS('us-east-1', 'mars-1'), UserError);
    assert.throws(() => carbonProfile('us-east-1', 0), RangeError);
    assert.throws(() => carbonProfile('us-east-1', 13), RangeError);
  });
});
