import { strict as assert } from 'assert';
import { DecodeError, formatProblem } from '../../src/model/decode';
import { algorithmShortName, parseManifest } from '../../src/model/manifest';

const VALID = {
  workflow_name: 'map_reduce',
  workflow_version: '0.0.1',
  iam_policy_file: 'iam_policy.json',
  home_region: { provider: 'aws', region: 'us-east-1' },
  regions_and_providers: { providers: { aws: { config: { memory: 1024, timeout: 60 } } } },
};

/** The problem lines of a manifest (empty when it is valid). */
function lines(m: unknown, fns: string[] = []): string[] {
  try {
    parseManifest(m, 'config.yml', fns);
    return [];
  } catch (e) {
    assert.ok(e instanceof DecodeError);
    return e.problems.map(formatProblem);
  }
}

const withPatch = (patch: Record<string, unknown>): unknown => ({ ...VALID, ...patch });

describe('manifest (.caribou/config.yml) validation', () => {
  it('accepts a minimal manifest, and maps algorithm names to their short form', () => {
    assert.deepEqual(lines(VALID), []);
    assert.equal(algorithmShortName(parseManifest(withPatch({ deployment_algorithm: 'fine_grained_deployment_algorithm' })).deployment_algorithm ?? undefined), 'fine');
  });

  it('names the path, what it expected and what it got', () => {
    assert.deepEqual(lines(withPatch({ constraints: { priority_order: ['cost', 'co2'] } })), ['constraints.priority_order[1]: expected one of cost, runtime, carbon; got "co2"']);
  });

  it('reports every problem at once', () => {
    const bad = {
      workflow_name: 'this-name-has-dashes',
      workflow_version: 'v1',
      iam_policy_file: 'iam_policy.json',
      home_region: { provider: 'gcp', region: 'us-east-1' },
      regions_and_providers: { providers: { aws: { config: { memory: 64, timeout: 901 } } } },
      constraints: { hard_resource_constraints: { co2: { type: 'absolute', value: 1 } } },
      deployment_algorithm: 'genetic',
    };
    assert.deepEqual(lines(bad).sort(), [
      'constraints.hard_resource_constraints.co2: expected one of the keys cost, runtime, carbon; got an unknown key "co2"',
      'deployment_algorithm: expected one of coarse, fine, stochastic, coarse_grained_deployment_algorithm, fine_grained_deployment_algorithm, stochastic_heuristic_deployment_algorithm; got "genetic"',
      'home_region.provider: expected one of aws; got "gcp"',
      'regions_and_providers.providers.aws.config.memory: expected an integer from 128 to 10240 MB; got 64',
      'regions_and_providers.providers.aws.config.timeout: expected an integer from 1 to 900 s; got 901',
      'workflow_name: expected 1 to 25 characters of A-Z, a-z, 0-9 or _; got "this-name-has-dashes"',
      'workflow_version: expected 1 to 10 characters of digits and dots, e.g. "0.0.1"; got "v1"',
    ]);
  });

  it('checks rules that span fields: overlapping regions, the home region, duplicate priorities, Lambda name length', () => {
    const rp = (allowed: string[], disallowed: string[]) => ({
      regions_and_providers: {
        allowed_regions: allowed.map((region) => ({ provider: 'aws', region })),
        disallowed_regions: disallowed.map((region) => ({ provider: 'aws', region })),
        providers: VALID.regions_and_providers.providers,
      },
    });
    assert.deepEqual(lines(withPatch(rp(['us-east-1', 'eu-west-1'], ['eu-west-1']))), ['regions_and_providers.disallowed_regions[0]: expected a region that is not also allowed; got "eu-west-1"']);
    assert.deepEqual(lines(withPatch(rp([], ['us-east-1']))), ['regions_and_providers.disallowed_regions[0]: expected a region other than the home region; got "us-east-1"']);
    assert.match(lines(withPatch(rp(['eu-west-1'], [])))[0], /^regions_and_providers\.allowed_regions: expected a list that includes the home region us-east-1/);
    assert.deepEqual(lines(withPatch({ constraints: { priority_order: ['cost', 'cost'] } })), ['constraints.priority_order[1]: expected each metric at most once; got "cost"']);
    const long = lines(withPatch({ workflow_name: 'a_rather_long_workflow_nm', workflow_version: '10.10.1000' }), ['a_long_function_name']);
    assert.match(long[0], /^workflow_name: expected a name short enough that the Lambda name ".*" fits 64 characters in region ap-southeast-2; got 76 characters$/);
    // a name that fits at home but not in a region the solver may move it to is refused up front
    const roaming = lines(withPatch({ workflow_name: 'a_long_workflow_name_here', workflow_version: '0.0.1' }), ['function_name_16']);
    assert.match(roaming[0], /in region ap-southeast-2; got 67 characters$/);
    const pinned = withPatch({ workflow_name: 'a_long_workflow_name_here', workflow_version: '0.0.1', ...rp(['us-east-1', 'eu-west-1'], []) });
    assert.deepEqual(lines(pinned, ['function_name_16']), []);
  });

  it('reports unknown keys (typos) instead of ignoring them', () => {
    assert.deepEqual(lines(withPatch({ home_regin: 'us-east-1' }))[0].split(':')[0], 'home_regin');
    assert.deepEqual(lines(withPatch({ regions_and_providers: { providers: { aws: { config: { memory: 128, timeout: 3, memroy: 1 } } } } })), [
      'regions_and_providers.providers.aws.config.memroy: expected one of the keys memory, timeout, architecture; got an unknown key "memroy"',
    ]);
  });

  it('says what it wanted in words, not type syntax', () => {
    assert.deepEqual(lines(withPatch({ regions_and_providers: 5 })), ['regions_and_providers: expected a mapping; got 5']);
    assert.deepEqual(lines(withPatch({ constraints: { priority_order: 'cost' } })), ['constraints.priority_order: expected a list, each one of cost, runtime, carbon; got "cost"']);
    assert.deepEqual(lines(withPatch({ environment_variables: [{ key: 'AWS_REGION', value: 1 }] })), [
      'environment_variables[0].key: expected a variable name not starting with AWS_ or CARIBOU_; got "AWS_REGION"',
      'environment_variables[0].value: expected a string; got 1',
    ]);
  });
});
