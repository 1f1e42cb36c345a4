import { strict as assert } from 'node:assert';
import {
  FallbackLog,
  bestFitLatency,
  dynamoCost,
  egressCost,
  executionCarbon,
  executionCost,
  fitLatencyLine,
  gridIntensity,
  latencyBucketKb,
  readUnits,
  regionParams,
  routeIntensity,
  snsChunks,
  snsCost,
  transmissionCarbon,
  untrackedTransferCarbonPerGb,
  writeUnits,
} from '../../src/solve/calculators';
import * as C from '../../src/solve/constants';
import { referenceScenario } from '../../src/solve/reference-scenario';

const KB = 1 / (1024 * 1024); // GB

function close(actual: number, expected: number, rel = 1e-9): void {
  assert.ok(Math.abs(actual - expected) <= rel * Math.abs(expected), `expected ${expected}, got ${actual}`);
}

describe('solve: calculators', () => {
  it('execution cost is price × GB × s + one request', () => {
    // 1 GB for 2 s at 1.66667e-5 USD/GB-s, plus 2e-7 per request
    close(executionCost(1.66667e-5, 2e-7, 1024, 2), 3.33334e-5 + 2e-7);
    close(executionCost(1.66667e-5, 2e-7, 512, 1), 0.833335e-5 + 2e-7);
  });

  it('SNS bills one request per started 64 KB chunk at the destination price', () => {
    assert.equal(snsChunks(1 * KB), 1);
    assert.equal(snsChunks(64 * KB), 1);
    assert.equal(snsChunks(100 * KB), 2);
    close(snsCost(100 * KB, 0.5e-6), 1e-6);
  });

  it('egress is charged only between regions', () => {
    close(egressCost(0.5, 'us-east-1', 'eu-west-1', 0.02), 0.01);
    assert.equal(egressCost(0.5, 'us-east-1', 'us-east-1', 0.02), 0);
  });

  it('DynamoDB request units: one WRU per KB, one RRU per 4 KB, at least one', () => {
    assert.equal(writeUnits(2.5 * KB), 3);
    assert.equal(writeUnits(1 * KB), 1);
    assert.equal(writeUnits(0), 1);
    assert.equal(readUnits(4 * KB), 1);
    assert.equal(readUnits(5 * KB), 2);
    close(dynamoCost(2, 3, 0.25e-6, 1.25e-6), 0.5e-6 + 3.75e-6);
  });

  it('execution carbon follows t·[(Pmin+u(Pmax−Pmin))·vCPU + Pmem·GB]/3600·PUE·I', () => {
    // 1769 MB = 1 vCPU, 1.7275390625 GB; u = 0.5
    const kw = 0.00074 + 0.5 * (0.0035 - 0.00074) + 0.0003725 * 1.7275390625; // 0.00276350830078125
    const expected = ((1 * kw) / 3600) * 1.11 * 100; // 8.520817260742188e-5 g
    const r = { minCpuPower: 0.00074, maxCpuPower: 0.0035, memoryPower: 0.0003725, pue: 1.11 };
    close(executionCarbon(1, 1769, 0.5, r, 100), expected);
    close(expected, 8.520817260742188e-5, 1e-12);
    close(executionCarbon(3, 1769, 0.5, r, 200), 6 * expected);
  });

  it('transmission carbon uses the mean of both ends between regions, the region inside one, 410 when unknown', () => {
    assert.equal(routeIntensity(100, 300, false), 200);
    assert.equal(routeIntensity(100, 300, true), 300);
    assert.equal(routeIntensity(null, 300, false), 410);
    close(transmissionCarbon(2, 200), 0.4);
    // untracked data: half at 410, half over the route
    close(untrackedTransferCarbonPerGb(200), 0.001 * (205 + 100));
  });

  it('latency buckets round up to 10 KB; the best-fit line is clamped to [0.7, 1.3] × mean', () => {
    assert.equal(latencyBucketKb(15 * KB), 20);
    assert.equal(latencyBucketKb(10 * KB), 10);
    assert.equal(latencyBucketKb(0), 10);
    const line = { slope_s: 1000, intercept_s: 0.1, min_latency_s: 0.14, max_latency_s: 0.26 };
    close(bestFitLatency(line, 0), 0.14);
    close(bestFitLatency(line, 1e-4), 0.2);
    close(bestFitLatency(line, 1), 0.26);
    const fit = fitLatencyLine([
      [1, 1],
      [2, 2],
      [3, 3],
    ]);
    assert.ok(fit);
    // y = x through the origin: intercept 0 is not > 0, so Caribou's rule falls back to the mean
    assert.equal(fit.slope_s, 0);
    close(fit.intercept_s, 2);
    close(fit.min_latency_s, 1.4);
  });

  it("reads the collectors' own price keys (SNS and DynamoDB prices are not defaults)", () => {
    const input = referenceScenario({ regions: 2 });
    const rec = input.provider['us-east-1'];
    rec.sns_cost.request_cost = 0.7e-6;
    rec.dynamodb_cost = { read_request_cost: 0.3e-6, write_request_cost: 1.4e-6 };
    rec.transmission_cost.provider_data_transfer = 0.03;
    const log = new FallbackLog();
    const p = regionParams(input, 'us-east-1', log);
    assert.equal(p.snsRequestCost, 0.7e-6);
    assert.equal(p.dynamoReadCost, 0.3e-6);
    assert.equal(p.dynamoWriteCost, 1.4e-6);
    assert.equal(p.egressCost, 0.03);
    assert.deepEqual(log.list(), []);
  });

  it('falls back to documented defaults and says so', () => {
    const input = referenceScenario({ regions: 2 });
    delete input.provider['us-east-2'];
    delete input.carbon['us-east-2'];
    delete input.carbon['us-east-1'].averages['5'];
    const log = new FallbackLog();
    const p = regionParams(input, 'us-east-2', log);
    assert.equal(p.snsRequestCost, C.SNS_REQUEST_COST_DEFAULT);
    assert.equal(p.egressCost, C.TRANSMISSION_COST_DEFAULT);
    assert.equal(gridIntensity(input, 'us-east-2', '3', log), 410);
    assert.equal(gridIntensity(input, 'us-east-1', '5', log), 50); // the overall
    assert.equal(gridIntensity(input, 'us-east-1', '6', log), 56);
    assert.deepEqual(log.list(), [
      "prices us-east-2: no provider_region record, Caribou's default prices used",
      'carbon us-east-2: no carbon_region record, 410 gCO2e/kWh used',
      'carbon us-east-1: no intensity for hour 5, the daily overall used',
    ]);
  });
});
