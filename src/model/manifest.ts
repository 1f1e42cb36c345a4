import * as t from 'io-ts';
import { DecodeError, Problem, decodeResult, show, unknownKeyProblems } from './decode';
import { FunctionName, NonNegative, RegionCode, WorkflowName, WorkflowVersion, intInRange, oneOf, physicalFunctionName, refined } from './primitives';

/** The three metrics a user can constrain and rank by. */
export const MetricName = oneOf(['cost', 'runtime', 'carbon'] as const);
export type MetricName = t.TypeOf<typeof MetricName>;

export const Constraint = t.strict({ type: oneOf(['absolute', 'relative'] as const), value: NonNegative });
export type Constraint = t.TypeOf<typeof Constraint>;

export const ConstraintSet = t.exact(
  t.partial({ cost: t.union([Constraint, t.null]), runtime: t.union([Constraint, t.null]), carbon: t.union([Constraint, t.null]) }),
);
export type ConstraintSet = t.TypeOf<typeof ConstraintSet>;

export const Constraints = t.exact(
  t.partial({
    hard_resource_constraints: t.union([ConstraintSet, t.null]),
    soft_resource_constraints: t.union([ConstraintSet, t.null]),
    priority_order: t.array(MetricName),
  }),
);
export type Constraints = t.TypeOf<typeof Constraints>;

export const ProviderRegion = t.strict({ provider: oneOf(['aws'] as const), region: RegionCode });
export type ProviderRegion = t.TypeOf<typeof ProviderRegion>;

export const Architecture = oneOf(['x86_64', 'arm64'] as const);
export type Architecture = t.TypeOf<typeof Architecture>;

export const LambdaConfig = t.intersection([
  t.strict({ memory: intInRange(128, 10240, 'MB'), timeout: intInRange(1, 900, 's') }),
  t.exact(t.partial({ architecture: Architecture })),
]);
export type LambdaConfig = t.TypeOf<typeof LambdaConfig>;

export const RegionsAndProviders = t.intersection([
  t.strict({ providers: t.strict({ aws: t.strict({ config: LambdaConfig }) }) }),
  t.exact(t.partial({ allowed_regions: t.union([t.array(ProviderRegion), t.null]), disallowed_regions: t.union([t.array(ProviderRegion), t.null]) })),
]);
export type RegionsAndProviders = t.TypeOf<typeof RegionsAndProviders>;

export const EnvironmentVariable = t.strict({
  key: refined(t.string, (k) => /^[A-Za-z_][A-Za-z0-9_]*$/.test(k) && !k.startsWith('AWS_') && !k.startsWith('CARIBOU_'), 'a variable name not starting with AWS_ or CARIBOU_'),
  value: t.string,
});

/** The names a user may give in `deployment_algorithm` (Caribou's long names are accepted too). */
export const DeploymentAlgorithm = oneOf([
  'coarse',
  'fine',
  'stochastic',
  'coarse_grained_deployment_algorithm',
  'fine_grained_deployment_algorithm',
  'stochastic_heuristic_deployment_algorithm',
] as const);
export type DeploymentAlgorithm = t.TypeOf<typeof DeploymentAlgorithm>;

/** Maps any accepted algorithm name to its short form. */
export function algorithmShortName(a: DeploymentAlgorithm | undefined): 'coarse' | 'fine' | 'stochastic' {
  if (a === undefined) return 'stochastic';
  if (a.startsWith('coarse')) return 'coarse';
  if (a.startsWith('fine')) return 'fine';
  return 'stochastic';
}

/** `.caribou/config.yml`, the workflow manifest. */
export const Manifest = t.intersection([
  t.strict({
    workflow_name: WorkflowName,
    workflow_version: WorkflowVersion,
    iam_policy_file: refined(t.string, (s) => s.length > 0 && !s.includes('..'), 'a file name inside .caribou/'),
    home_region: ProviderRegion,
    regions_and_providers: RegionsAndProviders,
  }),
  t.exact(
    t.partial({
      environment_variables: t.union([t.array(EnvironmentVariable), t.null]),
      estimated_invocations_per_month: t.union([NonNegative, t.null]),
      constraints: t.union([Constraints, t.null]),
      deployment_algorithm: t.union([DeploymentAlgorithm, t.null]),
    }),
  ),
]);
export type Manifest = t.TypeOf<typeof Manifest>;

/** The longest commercial AWS region code a function may be placed in without an allow-list. */
export const LONGEST_REGION_CODE = 'ap-southeast-2';

/** Rules spanning several fields, reported as problems with paths. */
export function crossFieldProblems(m: Manifest, functionNames: string[] = []): Problem[] {
  const problems: Problem[] = [];
  const allowed = m.regions_and_providers.allowed_regions ?? [];
  const disallowed = m.regions_and_providers.disallowed_regions ?? [];
  disallowed.forEach((d, i) => {
    if (allowed.some((a) => a.region === d.region))
      problems.push({ path: `regions_and_providers.disallowed_regions[${i}]`, expected: 'a region that is not also allowed', found: show(d.region) });
    if (d.region === m.home_region.region)
      problems.push({ path: `regions_and_providers.disallowed_regions[${i}]`, expected: 'a region other than the home region', found: show(d.region) });
  });
  if (allowed.length > 0 && !allowed.some((a) => a.region === m.home_region.region))
    problems.push({ path: 'regions_and_providers.allowed_regions', expected: `a list that includes the home region ${m.home_region.region}`, found: show(allowed.map((a) => a.region)) });
  const order = m.constraints?.priority_order ?? [];
  order.forEach((k, i) => {
    if (order.indexOf(k) !== i) problems.push({ path: `constraints.priority_order[${i}]`, expected: 'each metric at most once', found: show(k) });
  });
  // the solver may move a function to any permitted region, so the longest one must fit too
  const candidates = allowed.length > 0 ? allowed.map((a) => a.region) : [m.home_region.region, LONGEST_REGION_CODE];
  const longest = candidates.reduce((a, b) => (b.length > a.length ? b : a));
  for (const fn of functionNames) {
    if (!FunctionName.is(fn)) continue;
    const name = physicalFunctionName(m.workflow_name, m.workflow_version, fn, longest);
    if (name.length > 64)
      problems.push({ path: 'workflow_name', expected: `a name short enough that the Lambda name "${name}" fits 64 characters in region ${longest}`, found: `${name.length} characters` });
  }
  return problems;
}

/** Decodes and checks a manifest object, throwing a DecodeError listing every problem. */
export function parseManifest(raw: unknown, source = '.caribou/config.yml', functionNames: string[] = []): Manifest {
  const r = decodeResult(Manifest, raw);
  // unknown keys are mistakes (a typo, or a constraint on a metric that does not exist): report them with the rest
  const unknown = unknownKeyProblems(Manifest, raw);
  if (!r.ok || unknown.length > 0) throw new DecodeError(source, [...(r.ok ? [] : r.problems), ...unknown]);
  const extra = crossFieldProblems(r.value, functionNames);
  if (extra.length) throw new DecodeError(source, extra);
  return r.value;
}

/** The workflow id `<name>-<version>`. */
export function workflowIdOf(m: Pick<Manifest, 'workflow_name' | 'workflow_version'>): string {
  return `${m.workflow_name}-${m.workflow_version}`;
}

/** `.caribou/<iam_policy_file>`: an IAM policy document per provider (Caribou's format), under "aws". */
export const IamPolicyFile = t.type({
  aws: t.intersection([t.type({ Statement: t.array(t.UnknownRecord) }), t.partial({ Version: t.string })]),
});
export type IamPolicyFile = t.TypeOf<typeof IamPolicyFile>;
