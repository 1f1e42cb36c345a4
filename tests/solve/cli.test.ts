import { strict as assert } from 'node:assert';
import { renderPlan } from '../../src/cli/commands/solve';
import { solveWorkflow } from '../../src/solve';
import { referenceScenario } from '../../src/solve/reference-scenario';

describe('solve: caribou solve output', () => {
  it('prints each hour: placement beside home, mean and tail with the change in percent', () => {
    const input = referenceScenario({ regions: 3, intensity: (i, h) => 300 - 100 * i + (h ?? 0) });
    const plan = solveWorkflow(input, { runs: 200, algorithm: 'coarse', hours: ['0', '12'] });
    const home = Object.fromEntries(input.config.instances.map((i) => [i.instance_name, 'us-east-1']));
    const text = renderPlan(plan, home);
    assert.match(text, /^bench_chain-0\.0\.1: coarse search, 6 evaluations/);
    assert.match(text, /hour 0 \(UTC\)[\s\S]*hour 12 \(UTC\)/);
    assert.match(text, /f0:entry_point:0\s+us-east-1\s+ca-central-1  \*/);
    assert.match(text, /carbon \(gCO2e\)\s+\S+\s+\S+\s+-\d+\.\d%/);
    assert.match(text, /home p95/);
    assert.match(text, /fallbacks used \(\d+\):/);
  });
});
