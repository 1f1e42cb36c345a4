import { strict as assert } from 'node:assert';
import * as C from '../../src/solve/constants';
import type { RunSample } from '../../src/model/workflow-summary';
import { priceSample } from '../../src/quickstart/price';
import { referenceScenario } from '../../src/solve/reference-scenario';

/** A two-function run of the reference scenario, as the log syncer rebuilds it. */
function sample(region: string, opts: { dtGb?: number; payloadGb?: number; edgeGb?: number } = {}): RunSample {
  const [a, b] = referenceScenario({ regions: 3 }).config.instances.map((i) => i.instance_name);
  return {
    start_ms: Date.parse('2026-11-21T05:10:00Z'),
    runtime_s: 2,
    entry: { instance: a, region, payload_gb: opts.payloadGb ?? 0, wpd_gb: 1e-6, client_latency_s: null },
    executions: [
      { instance: a, region, start_s: 0, duration_s: 1, cpu_s: null, memory_mb: 1024, data_transfer_gb: opts.dtGb ?? 0, calls: { [b]: 1 } },
      { instance: b, region, start_s: 1, duration_s: 1, cpu_s: null, memory_mb: 1024, data_transfer_gb: 0, calls: {} },
    ],
    transmissions: [{ from: a, to: b, from_region: region, to_region: region, size_gb: opts.edgeGb ?? 1e-6, latency_s: 0.01, sync_gb: null }],
    skipped: [],
  };
}

describe('measured runs priced with the solver\'s terms, sizes from the log lines (issue 15)', () => {
  const input = referenceScenario({ regions: 3, intensity: (i) => 100 * (i + 1) });
  const home = input.config.home_region.region;
  const I = (r: string) => input.carbon[r].averages['5'].carbon_intensity;

  it('prices data a function downloads (a join\'s data) half at 410 g/kWh and half over the home→region route, as the estimate does', () => {
    // before issue 15 the measurement left this term out, so measured sat below estimated
    const other = input.available_regions.find((r) => r !== home)!;
    const dt = 0.5;
    const extra = priceSample(input, sample(other, { dtGb: dt })).carbon - priceSample(input, sample(other)).carbon;
    const want = dt * C.TRANSMISSION_KWH_PER_GB * (0.5 * C.GRID_CARBON_DEFAULT + 0.25 * I(home) + 0.25 * I(other));
    assert.ok(Math.abs(extra - want) < 1e-12, `${extra} vs ${want}`);
  });

  it('prices the client payload at 410 g/kWh and messages by their logged size over the route', () => {
    const p = 0.2;
    const extra = priceSample(input, sample(home, { payloadGb: p })).carbon - priceSample(input, sample(home)).carbon;
    assert.ok(Math.abs(extra - p * C.TRANSMISSION_KWH_PER_GB * C.GRID_CARBON_DEFAULT) < 1e-12);
    const e = 0.3;
    const extraEdge = priceSample(input, sample(home, { edgeGb: e })).carbon - priceSample(input, sample(home)).carbon;
    assert.ok(Math.abs(extraEdge - (e - 1e-6) * C.TRANSMISSION_KWH_PER_GB * I(home)) < 1e-12);
  });

  it('takes the hour of the run for the grid intensity, and the run\'s logged runtime', () => {
    const r = priceSample(input, sample(home));
    assert.equal(r.hour, 5);
    assert.equal(r.runtime, 2);
    assert.ok(r.carbon > 0 && r.cost > 0);
  });
});
