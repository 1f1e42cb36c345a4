import { MIGRATION_TABLES } from '../../model/migration';
import { TABLES } from '../../model/tables';
import type { PolicyDocument } from './policies';

/**
 * The permissions boundary every role the deployer or the migrator creates carries.
 *
 * A boundary caps what a role's own policies can grant: whatever a stored record (the
 * `iam_policy` of deployment_resources_table) or a workflow's iam_policy.json says, a workflow
 * role never gets more than this. AWS's pattern: allow what a function may reasonably use,
 * deny the framework's own resources. The control-plane stack (serverless.yml
 * `CaribouWorkflowBoundary`, generated from this document; a test keeps them equal) creates it;
 * the migrate role may create or change a role only when this boundary is attached.
 */

/** The managed policy's name (also in serverless.yml). */
export const BOUNDARY_NAME = 'caribou-workflow-boundary';
/** The tag naming a role's workflow: the boundary's join-item rule reads it as `${aws:PrincipalTag/caribou:workflow}`. */
export const WORKFLOW_TAG = 'caribou:workflow';
/** The tag every Caribou-created role carries. */
export const MANAGED_TAG = 'caribou:managed';

/** The boundary's ARN in `account`. */
export function boundaryArn(account: string): string {
  return `arn:aws:iam::${account}:policy/${BOUNDARY_NAME}`;
}

/** The system tables: read or written only by the control plane (the placement decision is read-only to a workflow). */
export function systemTables(): string[] {
  return [...Object.values(TABLES).filter((t) => t !== TABLES.syncMessages && t !== TABLES.workflowPlacementDecision), ...Object.values(MIGRATION_TABLES)];
}

/** The join-table actions the runtime uses; everything else on that table is outside the boundary. */
export const JOIN_ACTIONS = ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'];

/**
 * The boundary document. `account` may be a literal account id or the CloudFormation
 * placeholder `${AWS::AccountId}` (boundaryResource).
 */
export function boundaryPolicy(account: string, opts: { bucketPrefix?: string } = {}): PolicyDocument {
  const prefix = opts.bucketPrefix ?? 'caribou';
  const v = (name: string) => `\${${name}}`;
  const table = (t: string) => [`arn:aws:dynamodb:*:${account}:table/${t}`, `arn:aws:dynamodb:*:${account}:table/${t}/*`];
  const buckets = `arn:aws:s3:::${prefix}-${account}-*`;
  return {
    Version: '2012-10-17',
    Statement: [
      {
        // what a function's own policies may grant at most: any service but the ones that
        // change identities or accounts (a workflow never needs to mint credentials)
        Sid: 'CeilingForWorkflowCode',
        Effect: 'Allow',
        NotAction: ['iam:*', 'sts:*', 'organizations:*', 'account:*'],
        Resource: '*',
      },
      { Sid: 'NoSystemTables', Effect: 'Deny', Action: 'dynamodb:*', Resource: systemTables().flatMap(table) },
      { Sid: 'PlacementDecisionReadOnly', Effect: 'Deny', NotAction: 'dynamodb:GetItem', Resource: table(TABLES.workflowPlacementDecision) },
      { Sid: 'JoinTableItemsOnly', Effect: 'Deny', NotAction: [...JOIN_ACTIONS], Resource: table(TABLES.syncMessages) },
      {
        // a workflow's join keys start with `<workflow_id>/` (src/cloud/join-scope.ts); the role's tag names it
        Sid: 'OwnJoinItemsOnly',
        Effect: 'Deny',
        Action: [...JOIN_ACTIONS],
        Resource: table(TABLES.syncMessages),
        Condition: { 'ForAnyValue:StringNotLike': { 'dynamodb:LeadingKeys': [`${v(`aws:PrincipalTag/${WORKFLOW_TAG}`)}/*`] } },
      },
      { Sid: 'NoCodeOrSolverObjects', Effect: 'Deny', Action: 's3:*', Resource: [`${buckets}/workflows/*`, `${buckets}/solves/*`] },
      { Sid: 'NoCaribouBucketChanges', Effect: 'Deny', NotAction: ['s3:GetObject', 's3:PutObject'], Resource: [buckets, `${buckets}/*`] },
      {
        Sid: 'NoCaribouFunctionsOrStateMachines',
        Effect: 'Deny',
        Action: ['lambda:*', 'states:*', 'events:*', 'scheduler:*'],
        Resource: [
          `arn:aws:lambda:*:${account}:function:*_aws-*`,
          `arn:aws:lambda:*:${account}:function:caribou-*`,
          `arn:aws:states:*:${account}:stateMachine:CaribouCycle`,
          `arn:aws:states:*:${account}:execution:CaribouCycle:*`,
          `arn:aws:events:*:${account}:rule/*-timer-rule`,
        ],
      },
      { Sid: 'TopicsPublishOnly', Effect: 'Deny', NotAction: 'sns:Publish', Resource: `arn:aws:sns:*:${account}:*_messaging_topic` },
      { Sid: 'NoLogTampering', Effect: 'Deny', Action: ['logs:DeleteLogGroup', 'logs:DeleteLogStream', 'logs:PutRetentionPolicy', 'logs:DeleteRetentionPolicy'], Resource: `arn:aws:logs:*:${account}:log-group:/aws/lambda/*` },
      {
        Sid: 'NoCaribouSecrets',
        Effect: 'Deny',
        Action: ['ssm:*', 'secretsmanager:*'],
        Resource: [`arn:aws:ssm:*:${account}:parameter/caribou/*`, `arn:aws:secretsmanager:*:${account}:secret:caribou/*`],
      },
    ],
  };
}

/**
 * The boundary as the control-plane stack's CloudFormation resource (serverless.yml
 * `CaribouWorkflowBoundary`): the same document, with the account as `${AWS::AccountId}`.
 */
export function boundaryResource(): Record<string, unknown> {
  const doc = boundaryPolicy('${AWS::AccountId}');
  // ARNs need Fn::Sub; an IAM policy variable (`${aws:…}`) must reach IAM as written, and the
  // Serverless Framework would read `${aws:…}` as its own variable: Fn::Join splits the `$` off
  const cfn = (v: unknown): unknown => {
    if (typeof v === 'string' && v.includes('${AWS::')) return { 'Fn::Sub': v };
    if (typeof v === 'string' && v.includes('${aws:')) return { 'Fn::Join': ['', v.split('$').flatMap((part, i) => (i === 0 ? (part ? [part] : []) : ['$', part]))] };
    if (Array.isArray(v)) return v.map(cfn);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, cfn(x)]));
    return v;
  };
  return {
    Type: 'AWS::IAM::ManagedPolicy',
    Properties: {
      ManagedPolicyName: BOUNDARY_NAME,
      Description: 'Caribou: the most any workflow function role may do (src/cloud/aws/boundary.ts)',
      PolicyDocument: { ...doc, Statement: doc.Statement.map((s) => cfn(s)) },
    },
  };
}
