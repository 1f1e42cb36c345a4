import * as t from 'io-ts';
import { IsoTime, RegionCode, WorkflowId } from './primitives';

/** One deployed copy of a function: a physical function and its topic in one region. */
export const DeployedFunction = t.strict({
  function_name: t.string, // logical name, e.g. mapper
  region: RegionCode,
  physical_name: t.string, // e.g. map_reduce-0_0_1-mapper_aws-us-east-1
  topic: t.string, // topic identifier (ARN on AWS)
});
export type DeployedFunction = t.TypeOf<typeof DeployedFunction>;

/**
 * deployment_resources_table[workflow_id]: every resource a workflow has in the cloud,
 * so that log sync finds its log streams and remove/migrate find what to delete.
 */
export const DeploymentResources = t.intersection([
  t.strict({ workflow_id: WorkflowId, functions: t.array(DeployedFunction), updated_at: IsoTime }),
  t.exact(t.partial({ package_key: t.string, iam_policy: t.unknown })),
]);
export type DeploymentResources = t.TypeOf<typeof DeploymentResources>;
