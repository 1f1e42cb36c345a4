/**
 * The JSON Schema of `.caribou/config.yml`, generated from the io-ts codecs that validate it
 * (src/model/manifest.ts), with each field's description, default and example from FIELD_DOCS.
 * `npm run schema` writes it to docs/manifest.schema.json; tests/model/manifest-schema.test.ts
 * checks the committed file is what the codecs give today and docs/manifest.md names every field.
 */
import * as t from 'io-ts';
import { Manifest } from './manifest';

type Schema = Record<string, unknown>;

/** Per field path (`a.b`, `[]` for array items): meaning, default and an example. */
export const FIELD_DOCS: Record<string, { description: string; default?: unknown; examples?: unknown[] }> = {
  workflow_name: { description: 'The workflow\'s name; with workflow_version it forms the workflow id <name>-<version>. The SDK\'s workflow() takes it from here.', examples: ['image_processing'] },
  workflow_version: { description: 'The version; deploying a changed workflow needs a new version (or caribou remove first). Quote it in YAML.', examples: ['0.0.1'] },
  iam_policy_file: { description: 'The IAM policy file inside .caribou/ granting the functions what they call (Caribou\'s format: a policy document under "aws").', examples: ['iam_policy.json'] },
  home_region: { description: 'Where the workflow is first deployed and where it runs until a plan moves it; also the reference for relative constraints.', examples: [{ provider: 'aws', region: 'us-east-1' }] },
  'home_region.provider': { description: 'The cloud provider; only aws.', examples: ['aws'] },
  'home_region.region': { description: 'An AWS region code.', examples: ['us-east-1'] },
  regions_and_providers: { description: 'Where functions may be placed, and the default Lambda settings.' },
  'regions_and_providers.allowed_regions': { description: 'If a list: the only regions a function may be placed in (must include the home region). null: every region with data.', default: null, examples: [[{ provider: 'aws', region: 'us-east-1' }, { provider: 'aws', region: 'ca-central-1' }]] },
  'regions_and_providers.allowed_regions[]': { description: 'A region a function may be placed in.' },
  'regions_and_providers.disallowed_regions': { description: 'Regions no function may be placed in (never the home region, never an allowed one).', default: null, examples: [[{ provider: 'aws', region: 'ap-southeast-2' }]] },
  'regions_and_providers.disallowed_regions[]': { description: 'A region no function may be placed in.' },
  'regions_and_providers.providers': { description: 'Per-provider settings; only aws.' },
  'regions_and_providers.providers.aws': { description: 'AWS settings.' },
  'regions_and_providers.providers.aws.config': { description: 'Lambda settings every function gets unless its wf.fn options override them.' },
  'regions_and_providers.providers.aws.config.memory': { description: 'Lambda memory in MB (128 to 10240).', examples: [128] },
  'regions_and_providers.providers.aws.config.timeout': { description: 'Lambda timeout in seconds (1 to 900).', examples: [60] },
  'regions_and_providers.providers.aws.config.architecture': { description: 'Lambda architecture.', default: 'x86_64', examples: ['arm64'] },
  environment_variables: { description: 'Environment variables of every function (a function\'s own `environment` option overrides them).', default: [], examples: [[{ key: 'BUCKET', value: 'my-images' }]] },
  'environment_variables[]': { description: 'One variable.' },
  'environment_variables[].key': { description: 'The name; not starting with AWS_ or CARIBOU_ (reserved).', examples: ['BUCKET'] },
  'environment_variables[].value': { description: 'The value (a string; never a secret: it is stored in the deployment).', examples: ['my-images'] },
  estimated_invocations_per_month: { description: 'Expected runs per month; decides how often re-solving the placement pays for itself. null: learned from the logs.', default: null, examples: [1000000] },
  constraints: { description: 'What the placement must respect and what it optimises.', default: null },
  'constraints.hard_resource_constraints': {
    description: 'Limits a placement must never break: a candidate whose tail (95th percentile) cost, runtime or carbon per run exceeds a limit is discarded. null: none.',
    default: null,
    examples: [{ runtime: { type: 'relative', value: 120 }, cost: { type: 'absolute', value: 0.001 } }],
  },
  'constraints.soft_resource_constraints': {
    description: 'Limits a placement should keep: candidates breaking fewer soft limits (on their mean per run) rank first, then the priority order decides. null: none.',
    default: null,
    examples: [{ carbon: { type: 'relative', value: 90 } }],
  },
  'constraints.*.cost': { description: 'A limit on the cost per run (USD), or null for none.', default: null },
  'constraints.*.runtime': { description: 'A limit on the runtime per run (seconds), or null for none.', default: null },
  'constraints.*.carbon': { description: 'A limit on the carbon per run (gCO2e), or null for none.', default: null },
  'constraints.*.*.type': { description: 'absolute: value in the metric\'s unit (USD, s, gCO2e); relative: value is a percentage of the home deployment\'s figure (110 = at most 10% worse).', examples: ['relative'] },
  'constraints.*.*.value': { description: 'The limit (≥ 0).', examples: [110] },
  'constraints.priority_order': { description: 'The metrics in order of importance; placements are ranked by the first, ties broken by the next.', default: ['carbon', 'cost', 'runtime'], examples: [['carbon', 'runtime', 'cost']] },
  'constraints.priority_order[]': { description: 'A metric.' },
  deployment_algorithm: { description: 'How placements are searched: coarse (one region for the whole workflow), fine (per function, exhaustive for small DAGs), stochastic (per function, heuristic). Caribou\'s long names are accepted.', default: 'stochastic', examples: ['coarse'] },
};

/** Schemas of the refined and enumerated codecs, by the name io-ts knows them by. */
function leafSchema(codec: t.Mixed): Schema | undefined {
  const name = codec.name;
  if (name.startsWith('one of ')) return { type: 'string', enum: name.slice('one of '.length).split(', ') };
  const range = /^an integer from (\d+) to (\d+)/.exec(name);
  if (range) return { type: 'integer', minimum: Number(range[1]), maximum: Number(range[2]) };
  const known: Record<string, Schema> = {
    '1 to 25 characters of A-Z, a-z, 0-9 or _': { type: 'string', pattern: '^[A-Za-z0-9_]{1,25}$' },
    '1 to 10 characters of digits and dots, e.g. "0.0.1"': { type: 'string', pattern: '^[0-9.]{1,10}$' },
    'an AWS region code such as "us-east-1"': { type: 'string', pattern: '^[a-z]{2}(-gov)?-[a-z]+-\\d$' },
    'a finite number ≥ 0': { type: 'number', minimum: 0 },
    'a file name inside .caribou/': { type: 'string', minLength: 1, not: { pattern: '\\.\\.' } },
    'a variable name not starting with AWS_ or CARIBOU_': { type: 'string', pattern: '^(?!AWS_|CARIBOU_)[A-Za-z_][A-Za-z0-9_]*$' },
    string: { type: 'string' },
    number: { type: 'number' },
    null: { type: 'null' },
  };
  return known[name];
}

type AnyCodec = t.Mixed & { _tag?: string; type?: t.Mixed; types?: t.Mixed[]; props?: t.Props };

/** The docs entry for a path, trying wildcards for the constraint sets (`constraints.*.cost`). */
function docsFor(path: string): Schema {
  const parts = path.split('.');
  const candidates = [path];
  if (parts[0] === 'constraints' && parts.length >= 3) candidates.push(['constraints', '*', ...parts.slice(2)].join('.'));
  if (parts[0] === 'constraints' && parts.length >= 4) candidates.push(['constraints', '*', '*', ...parts.slice(3)].join('.'));
  for (const c of candidates) {
    const d = FIELD_DOCS[c];
    if (d) return { description: d.description, ...(d.default !== undefined ? { default: d.default } : {}), ...(d.examples ? { examples: d.examples } : {}) };
  }
  return {};
}

function toSchema(codec: t.Mixed, path: string): Schema {
  const c = codec as AnyCodec;
  const leaf = leafSchema(codec);
  if (leaf) return leaf;
  switch (c._tag) {
    case 'ExactType':
    case 'ReadonlyType':
      return toSchema(c.type!, path);
    case 'InterfaceType':
    case 'StrictType':
    case 'PartialType':
    case 'IntersectionType': {
      const { props, required } = objectProps(c);
      const properties: Record<string, Schema> = {};
      for (const [k, v] of Object.entries(props)) {
        const at = path ? `${path}.${k}` : k;
        properties[k] = { ...docsFor(at), ...toSchema(v, at) };
      }
      return { type: 'object', properties, ...(required.length ? { required } : {}), additionalProperties: false };
    }
    case 'UnionType':
      return { anyOf: c.types!.map((m) => toSchema(m, path)) };
    case 'ArrayType':
      return { type: 'array', items: { ...docsFor(`${path}[]`), ...toSchema(c.type!, `${path}[]`) } };
  }
  throw new Error(`no JSON Schema for the codec "${codec.name}" at ${path || '(root)'}: add it to leafSchema in src/model/manifest-schema.ts`);
}

/** The properties of an object-like codec and which are required. */
function objectProps(c: AnyCodec): { props: t.Props; required: string[] } {
  if (c._tag === 'ExactType' || c._tag === 'ReadonlyType') return objectProps(c.type as AnyCodec);
  if (c._tag === 'IntersectionType') {
    const parts = c.types!.map((m) => objectProps(m as AnyCodec));
    return { props: Object.assign({}, ...parts.map((p) => p.props)), required: parts.flatMap((p) => p.required) };
  }
  const props = c.props ?? {};
  return { props, required: c._tag === 'PartialType' ? [] : Object.keys(props) };
}

/** The manifest's JSON Schema (draft 2020-12). */
export function manifestJsonSchema(): Schema {
  return {
    $schema: 'https://json-schema.org/draft/2020-12/schema',
    $id: 'https://github.com/caribou-ts/caribou-ts/blob/main/docs/manifest.schema.json',
    title: 'Caribou workflow manifest (.caribou/config.yml)',
    description: 'Generated by `npm run schema` from src/model/manifest.ts; see docs/manifest.md.',
    ...toSchema(Manifest, ''),
  };
}

/** Every field path the schema describes (for the documentation check). */
export function manifestFieldPaths(schema: Schema = manifestJsonSchema(), prefix = ''): string[] {
  const out: string[] = [];
  const visit = (s: Schema, at: string) => {
    if (s.anyOf) for (const m of s.anyOf as Schema[]) visit(m, at);
    if (s.properties)
      for (const [k, v] of Object.entries(s.properties as Record<string, Schema>)) {
        const p = at ? `${at}.${k}` : k;
        out.push(p);
        visit(v, p);
      }
    if (s.items) visit(s.items as Schema, `${at}[]`);
  };
  visit(schema, prefix);
  return [...new Set(out)];
}
