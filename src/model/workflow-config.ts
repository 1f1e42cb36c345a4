import * as t from 'io-ts';
import { Architecture, Constraints, DeploymentAlgorithm, EnvironmentVariable, ProviderRegion } from './manifest';
import { FunctionName, NonEmptyString, NonNegative, RegionCode, WorkflowId, WorkflowName, WorkflowVersion, intInRange, refined } from './primitives';

/** One invoke call site inside a function: its index in source order and the instance it creates. */
export const CallSite = t.strict({ site: refined(t.number, (n) => Number.isInteger(n) && n >= 0, 'a call-site index (an integer ≥ 0)'), successor: NonEmptyString });
export type CallSite = t.TypeOf<typeof CallSite>;

/** One node of the DAG: a function reached through one particular call site. */
export const InstanceConfig = t.intersection([
  t.strict({
    instance_name: NonEmptyString,
    function_name: FunctionName,
    succeeding_instances: t.array(t.string),
    preceding_instances: t.array(t.string),
    /** call site index → successor instance; every instance of a function has the same sites */
    call_sites: t.array(CallSite),
  }),
  t.exact(
    t.partial({
      entry_point: t.boolean,
      /** joins only: one slot per incoming call site, `<predecessor instance>#<site>`, in stable order */
      join_slots: t.array(t.string),
    }),
  ),
]);
export type InstanceConfig = t.TypeOf<typeof InstanceConfig>;

/** A registered function: its deploy settings (merged from the manifest and its own overrides). */
export const FunctionConfig = t.intersection([
  t.strict({
    name: FunctionName,
    entry_point: t.boolean,
    is_join: t.boolean,
    memory: intInRange(128, 10240, 'MB'),
    timeout: intInRange(1, 900, 's'),
    architecture: Architecture,
    environment: t.record(t.string, t.string),
  }),
  t.exact(t.partial({ allowed_regions: t.array(RegionCode), disallowed_regions: t.array(RegionCode), source_line: t.number })),
]);
export type FunctionConfig = t.TypeOf<typeof FunctionConfig>;

/** The workflow config: what the DAG builder produces and every later stage reads. */
export const WorkflowConfig = t.intersection([
  t.strict({
    workflow_id: WorkflowId,
    workflow_name: WorkflowName,
    workflow_version: WorkflowVersion,
    home_region: ProviderRegion,
    instances: t.array(InstanceConfig),
    functions: t.array(FunctionConfig),
  }),
  t.exact(
    t.partial({
      constraints: t.union([Constraints, t.null]),
      allowed_regions: t.array(RegionCode),
      disallowed_regions: t.array(RegionCode),
      deployment_algorithm: t.union([DeploymentAlgorithm, t.null]),
      estimated_invocations_per_month: t.union([NonNegative, t.null]),
      environment_variables: t.array(EnvironmentVariable),
      /** relative path of the workflow source from the workflow directory */
      source_file: t.string,
    }),
  ),
]);
export type WorkflowConfig = t.TypeOf<typeof WorkflowConfig>;
