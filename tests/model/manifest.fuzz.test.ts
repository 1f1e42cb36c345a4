import { strict as assert } from 'assert';
import fc from 'fast-check';
import { DecodeError, formatProblem } from '../../src/model/decode';
import { parseManifest } from '../../src/model/manifest';

/** A manifest using every field, valid as is. */
const FULL = {
  workflow_name: 'map_reduce',
  workflow_version: '0.0.1',
  environment_variables: [{ key: 'LOG_LEVEL', value: 'INFO' }],
  iam_policy_file: 'iam_policy.json',
  home_region: { provider: 'aws', region: 'us-east-1' },
  estimated_invocations_per_month: 1000000,
  constraints: {
    hard_resource_constraints: { cost: { type: 'absolute', value: 100 }, runtime: null, carbon: { type: 'relative', value: 20 } },
    soft_resource_constraints: { runtime: { type: 'relative', value: 10 } },
    priority_order: ['carbon', 'cost', 'runtime'],
  },
  regions_and_providers: {
    allowed_regions: [
      { provider: 'aws', region: 'us-east-1' },
      { provider: 'aws', region: 'us-west-2' },
    ],
    disallowed_regions: [{ provider: 'aws', region: 'eu-west-1' }],
    providers: { aws: { config: { memory: 1024, timeout: 60, architecture: 'arm64' } } },
  },
  deployment_algorithm: 'stochastic',
};

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Every path into a JSON value (as key lists), the root included. */
function pathsOf(v: Json, at: Array<string | number> = []): Array<Array<string | number>> {
  const out = [at];
  if (Array.isArray(v)) v.forEach((x, i) => out.push(...pathsOf(x, [...at, i])));
  else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) out.push(...pathsOf(x, [...at, k]));
  return out;
}

const OPS = ['delete', 'replace', 'add-key', 'wrong-type', 'near-miss'] as const;
/** Values that are close to valid ones: what a user's typo or a careless edit produces. */
const NEAR = ['co2', 'us-east-9', 'US-EAST-1', 'aws ', '', 'absolute ', 'relatve', 'x86', -1, 0, 127, 10241, 901, 0.5, 1e309, '0.0.1.', 'a-b', 'AWS_REGION', 'stochastic_x', true, [], {}];
const Mutation = fc.record({ pick: fc.nat(), op: fc.constantFrom(...OPS), value: fc.jsonValue({ maxDepth: 2 }), near: fc.constantFrom(...NEAR), key: fc.string({ minLength: 1, maxLength: 12 }) });

function mutate(base: Json, muts: Array<{ pick: number; op: (typeof OPS)[number]; value: unknown; near: unknown; key: string }>): Json {
  const m = JSON.parse(JSON.stringify(base)) as Json;
  for (const mu of muts) {
    const paths = pathsOf(m).filter((p) => p.length > 0);
    if (paths.length === 0) break;
    const p = paths[mu.pick % paths.length];
    let parent = m as Record<string | number, Json>;
    for (const k of p.slice(0, -1)) parent = parent[k] as Record<string | number, Json>;
    const last = p[p.length - 1];
    const cur = parent[last];
    switch (mu.op) {
      case 'delete':
        if (Array.isArray(parent)) parent.splice(last as number, 1);
        else delete parent[last];
        break;
      case 'replace':
        parent[last] = mu.value as Json;
        break;
      case 'add-key':
        if (cur && typeof cur === 'object' && !Array.isArray(cur)) (cur as Record<string, Json>)[mu.key] = mu.value as Json;
        else parent[last] = { [mu.key]: mu.value as Json };
        break;
      case 'wrong-type':
        parent[last] = (typeof cur === 'string' ? 42 : typeof cur === 'number' ? String(cur) : Array.isArray(cur) ? { ...cur } : cur && typeof cur === 'object' ? [cur] : 'text') as Json;
        break;
      case 'near-miss':
        parent[last] = mu.near as Json;
        break;
    }
  }
  return m;
}

describe('manifest validator under fuzzing (fast-check, seeded)', () => {
  it('never crashes on 2,000 mutated manifests, and every rejection names a path, in plain words', () => {
    let rejected = 0;
    let accepted = 0;
    fc.assert(
      fc.property(fc.array(Mutation, { minLength: 1, maxLength: 4 }), (muts) => {
        const m = mutate(FULL as unknown as Json, muts);
        try {
          parseManifest(m, 'config.yml', ['mapper']);
          accepted++;
          return;
        } catch (e) {
          if (!(e instanceof DecodeError)) throw new Error(`crash, not a DecodeError: ${String(e)} on ${JSON.stringify(m)}`);
          rejected++;
          assert.ok(e.problems.length > 0);
          for (const p of e.problems) {
            assert.ok(p.path.length > 0, `a problem without a path: ${formatProblem(p)} on ${JSON.stringify(m)}`);
            // plain keys joined by dots, list indices and odd keys in brackets: a.b[0]["odd key"]
            assert.match(p.path, /^(?:[A-Za-z_][\w-]*|\[".*?"\])(?:\.[A-Za-z_][\w-]*|\[\d+\]|\[".*?"\])*$/s, `a malformed path ${p.path}`);
            const line = formatProblem(p);
            assert.match(line, /^\S.*: expected .+; got .+$/s);
            assert.doesNotMatch(p.expected, /\{\||Array<|Partial<|=>/, `type syntax instead of words: ${line}`);
          }
        }
      }),
      { seed: 20261122, numRuns: 2000 },
    );
    assert.equal(rejected + accepted, 2000);
    // most mutations break something; some (e.g. deleting an optional field) leave a valid manifest
    assert.ok(rejected > 1000 && accepted > 50, `rejected ${rejected}, accepted ${accepted}`);
  });
});
