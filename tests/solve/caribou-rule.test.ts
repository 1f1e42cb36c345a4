import { strict as assert } from 'node:assert';
import { compileModel } from '../../src/solve';
import { caribouRuleSolve } from '../../src/solve/caribou-rule';
import { mulberry32, referenceScenario } from '../../src/solve/reference-scenario';

/** The compare scenarios of `bench -- solver --compare`: one function pinned to home. */
function pinned(k: number) {
  const rnd = mulberry32(1000 + k);
  const I = Array.from({ length: 11 }, () => 50 + 450 * rnd());
  const input = referenceScenario({ seed: k, intensity: (i, h) => I[i] + (h ?? 0) });
  input.config.functions[2].allowed_regions = ['us-east-1'];
  return input;
}

describe("a faithful port of Caribou's stochastic search (issue 15)", function () {
  this.timeout(60_000);

  it('is seeded, respects each instance\'s permitted regions, and evaluates about 3·R·N proposals at most', () => {
    const input = pinned(3);
    const model = compileModel(input);
    const a = caribouRuleSolve(input, { seed: 5, runs: 200 }, model);
    const b = caribouRuleSolve(input, { seed: 5, runs: 200 }, model);
    assert.deepEqual(a, b);
    a.deployment.forEach((r, i) => assert.ok(model.permitted[i].includes(r), `node ${i} placed in ${r}`));
    assert.equal(a.placement[model.instances[2]] ?? a.placement[input.config.instances.find((i) => i.function_name === input.config.functions[2].name)!.instance_name], 'us-east-1');
    // home + the coarse sweep + at most one evaluation per iteration
    assert.ok(a.evaluations <= 1 + model.R + 3 * model.R * model.N, `${a.evaluations} evaluations`);
    assert.ok(a.ranked >= 1);
  });
});
