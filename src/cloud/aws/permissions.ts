import { SYSTEM_REGION, TABLES } from '../../model/tables';
import { MIGRATION_TABLES } from '../../model/migration';
import type { PolicyDocument } from './policies';
import { TIMER_ROLE } from './eventbridge-schedules';
import { boundaryArn } from './boundary';

/**
 * The IAM actions the AWS adapters call, by what the operator (or a control-plane role)
 * does with them, and an operator policy scoped to Caribou's own resources. docs/aws.md
 * prints `operatorPolicy`; keep both in step with the adapters.
 */
export const ACTIONS = {
  /** setup_tables, teardown_framework, and every table read or write */
  tables: ['dynamodb:CreateTable', 'dynamodb:DescribeTable', 'dynamodb:DescribeTimeToLive', 'dynamodb:UpdateTimeToLive', 'dynamodb:DeleteTable', 'dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:Scan'],
  /** deploy, migrate, remove: one function with its role, topic and code */
  functions: [
    'lambda:CreateFunction',
    'lambda:GetFunction',
    'lambda:UpdateFunctionCode',
    'lambda:UpdateFunctionConfiguration',
    'lambda:DeleteFunction',
    'lambda:AddPermission',
    'lambda:RemovePermission',
    'lambda:GetPolicy',
    'lambda:PutFunctionEventInvokeConfig',
  ],
  listing: ['lambda:ListFunctions', 'sns:ListTopics', 's3:ListAllMyBuckets', 'states:ListStateMachines', 'events:ListRules', 'logs:DescribeLogGroups'],
  roles: ['iam:CreateRole', 'iam:GetRole', 'iam:TagRole', 'iam:UpdateAssumeRolePolicy', 'iam:PutRolePolicy', 'iam:PutRolePermissionsBoundary', 'iam:GetRolePolicy', 'iam:ListRolePolicies', 'iam:DeleteRolePolicy', 'iam:DeleteRole'],
  /** the workflow permissions boundary (boundary.ts): read before each deploy, created (and at teardown deleted) when the stack did not */
  boundary: ['iam:GetPolicy', 'iam:CreatePolicy', 'iam:DeletePolicy'],
  passRole: ['iam:PassRole'],
  topics: ['sns:CreateTopic', 'sns:SetTopicAttributes', 'sns:GetTopicAttributes', 'sns:Subscribe', 'sns:ListSubscriptionsByTopic', 'sns:Unsubscribe', 'sns:DeleteTopic', 'sns:Publish'],
  buckets: ['s3:CreateBucket', 's3:PutBucketPublicAccessBlock', 's3:PutLifecycleConfiguration', 's3:ListBucket', 's3:DeleteBucket'],
  objects: ['s3:GetObject', 's3:PutObject', 's3:DeleteObject'],
  logs: ['logs:CreateLogGroup', 'logs:PutRetentionPolicy', 'logs:FilterLogEvents', 'logs:DeleteLogGroup'],
  timers: ['events:PutRule', 'events:PutTargets', 'events:ListTargetsByRule', 'events:RemoveTargets', 'events:DeleteRule'],
  cycle: ['states:StartExecution', 'states:DescribeExecution', 'states:GetExecutionHistory'],
} as const;

/**
 * What deploying a function to a region (deployFunctionToRegion) and removing one call,
 * i.e. what the control plane's migrate role needs (a test checks serverless.yml grants it).
 */
export const MIGRATE_ACTIONS: readonly string[] = [
  ...ACTIONS.functions,
  'lambda:ListFunctions',
  ...ACTIONS.roles.filter((a) => a !== 'iam:GetRolePolicy'),
  'iam:GetPolicy',
  ...ACTIONS.passRole,
  ...ACTIONS.topics.filter((a) => a !== 'sns:Publish' && a !== 'sns:GetTopicAttributes'),
  'sns:ListTopics',
  's3:CreateBucket',
  's3:PutBucketPublicAccessBlock',
  's3:PutLifecycleConfiguration',
  's3:ListBucket',
  ...ACTIONS.objects,
  'logs:CreateLogGroup',
  'logs:PutRetentionPolicy',
  'dynamodb:CreateTable',
  'dynamodb:DescribeTable',
  'dynamodb:DescribeTimeToLive',
  'dynamodb:UpdateTimeToLive',
];

/**
 * A policy for the operator who runs the `caribou` CLI with `--target aws` (deploy, run,
 * remove, timers, cycle, teardown). Every grant names Caribou's resources; the listing
 * actions, which IAM cannot scope to a resource, only list.
 * (`sls deploy` of the control plane needs CloudFormation rights besides: docs/aws.md.)
 */
export function operatorPolicy(account: string, controlRegion = SYSTEM_REGION): PolicyDocument {
  const systemTables = [...Object.values(TABLES).filter((t) => t !== TABLES.syncMessages), ...Object.values(MIGRATION_TABLES)];
  return {
    Version: '2012-10-17',
    Statement: [
      {
        Sid: 'CaribouTables',
        Effect: 'Allow',
        Action: [...ACTIONS.tables],
        Resource: [
          ...systemTables.map((t) => `arn:aws:dynamodb:${SYSTEM_REGION}:${account}:table/${t}`),
          `arn:aws:dynamodb:*:${account}:table/${TABLES.syncMessages}`,
        ],
      },
      { Sid: 'CaribouFunctions', Effect: 'Allow', Action: [...ACTIONS.functions], Resource: [`arn:aws:lambda:*:${account}:function:*_aws-*`] },
      { Sid: 'ControlPlaneTimerTargets', Effect: 'Allow', Action: ['lambda:GetFunction', 'lambda:AddPermission', 'lambda:RemovePermission', 'lambda:GetPolicy'], Resource: [`arn:aws:lambda:${controlRegion}:${account}:function:caribou-*`] },
      { Sid: 'Listing', Effect: 'Allow', Action: [...ACTIONS.listing], Resource: ['*'] },
      { Sid: 'CaribouRoles', Effect: 'Allow', Action: [...ACTIONS.roles], Resource: [`arn:aws:iam::${account}:role/*_aws-*`, `arn:aws:iam::${account}:role/${TIMER_ROLE}`] },
      { Sid: 'WorkflowBoundary', Effect: 'Allow', Action: [...ACTIONS.boundary], Resource: [boundaryArn(account)] },
      {
        Sid: 'PassFunctionRoles',
        Effect: 'Allow',
        Action: [...ACTIONS.passRole],
        Resource: [`arn:aws:iam::${account}:role/*_aws-*`],
        Condition: { StringEquals: { 'iam:PassedToService': 'lambda.amazonaws.com' } },
      },
      {
        Sid: 'PassTimerRole',
        Effect: 'Allow',
        Action: [...ACTIONS.passRole],
        Resource: [`arn:aws:iam::${account}:role/${TIMER_ROLE}`],
        Condition: { StringEquals: { 'iam:PassedToService': 'events.amazonaws.com' } },
      },
      { Sid: 'CaribouTopics', Effect: 'Allow', Action: [...ACTIONS.topics], Resource: [`arn:aws:sns:*:${account}:*_messaging_topic`] },
      { Sid: 'CaribouBuckets', Effect: 'Allow', Action: [...ACTIONS.buckets], Resource: [`arn:aws:s3:::caribou-${account}-*`] },
      { Sid: 'CaribouObjects', Effect: 'Allow', Action: [...ACTIONS.objects], Resource: [`arn:aws:s3:::caribou-${account}-*/*`] },
      { Sid: 'FunctionLogs', Effect: 'Allow', Action: [...ACTIONS.logs], Resource: [`arn:aws:logs:*:${account}:log-group:/aws/lambda/*`] },
      { Sid: 'Timers', Effect: 'Allow', Action: [...ACTIONS.timers], Resource: [`arn:aws:events:${controlRegion}:${account}:rule/*-timer-rule`] },
      {
        Sid: 'Cycle',
        Effect: 'Allow',
        Action: [...ACTIONS.cycle],
        Resource: [`arn:aws:states:${controlRegion}:${account}:stateMachine:CaribouCycle`, `arn:aws:states:${controlRegion}:${account}:execution:CaribouCycle:*`],
      },
    ],
  };
}
