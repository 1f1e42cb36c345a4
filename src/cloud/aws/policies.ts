import * as t from 'io-ts';
import { decodeOrThrow } from '../../model/decode';
import { UserError } from '../../model/errors';
import { SYSTEM_REGION, TABLES } from '../../model/tables';
import { logGroupName, parsePhysicalName, PAYLOAD_PREFIX, roleName } from './names';
import { JOIN_ACTIONS, MANAGED_TAG, WORKFLOW_TAG, boundaryArn } from './boundary';
import { joinKeyPrefix } from '../join-scope';

/**
 * IAM policy documents: the codec for the ones users give us, the ones Caribou generates,
 * and the check that none of them grants every action on every resource.
 */

const OneOrMany = t.union([t.string, t.array(t.string)]);

/** One statement of an IAM policy (the fields we read; others pass through untouched). */
export const PolicyStatement = t.intersection([
  t.type({ Effect: t.union([t.literal('Allow'), t.literal('Deny')]) }),
  t.partial({ Sid: t.string, Action: OneOrMany, NotAction: OneOrMany, Resource: OneOrMany, NotResource: OneOrMany, Condition: t.unknown, Principal: t.unknown }),
]);
export type PolicyStatement = t.TypeOf<typeof PolicyStatement>;

/** An IAM policy document. */
export const PolicyDocument = t.type({
  Version: t.union([t.literal('2012-10-17'), t.literal('2008-10-17')]),
  Statement: t.array(PolicyStatement),
});
export type PolicyDocument = t.TypeOf<typeof PolicyDocument>;

const VERSION = '2012-10-17' as const;

function list(v: string | string[] | undefined): string[] {
  return v === undefined ? [] : Array.isArray(v) ? v : [v];
}

/** The statements that allow every action (`*`) on every resource (`*`). */
export function wildcardGrants(doc: PolicyDocument): PolicyStatement[] {
  return doc.Statement.filter(
    (s) =>
      s.Effect === 'Allow' &&
      (list(s.Action).some((a) => a === '*' || a === '*:*') || (s.NotAction !== undefined && s.Action === undefined)) &&
      (list(s.Resource).includes('*') || (s.NotResource !== undefined && s.Resource === undefined)),
  );
}

/** Throws when a policy grants every action on every resource. */
export function assertNoWildcardGrant(doc: PolicyDocument, what: string): void {
  const bad = wildcardGrants(doc);
  if (bad.length > 0) {
    throw new UserError(
      `${what} allows every action on every resource (statement ${bad.map((s) => s.Sid ?? JSON.stringify(s)).join(', ')}); ` +
        'list the actions and resources the workflow really needs',
    );
  }
}

/**
 * Reads the workflow's iam_policy as given (a policy document, or Caribou's
 * `{ "aws": <document> }` layout) and checks it.
 */
export function workflowPolicy(policy: unknown, physical: string): PolicyDocument | undefined {
  if (policy === undefined || policy === null) return undefined;
  const raw = typeof policy === 'object' && policy !== null && 'aws' in policy ? (policy as { aws: unknown }).aws : policy;
  const doc = decodeOrThrow(PolicyDocument, raw, `the iam_policy of ${physical}`);
  assertNoWildcardGrant(doc, `the iam_policy of ${physical}`);
  return doc;
}

/** The trust policy of a role that `service` (e.g. lambda.amazonaws.com) may assume. */
export function trustPolicy(service: string, account?: string): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Effect: 'Allow',
        Principal: { Service: service },
        Action: 'sts:AssumeRole',
        // For services that send it (EventBridge, Step Functions), admit only our account's calls.
        ...(account && service !== 'lambda.amazonaws.com' ? { Condition: { StringEquals: { 'aws:SourceAccount': account } } } : {}),
      },
    ],
  };
}

/**
 * What the Caribou runtime inside a function needs, scoped to its own workflow, and nothing more:
 * - write its own log group;
 * - publish to the topics of its own workflow version, in any region (successors move);
 * - its own workflow's join items on the per-region join tables (keys `<workflow_id>/…`,
 *   src/cloud/join-scope.ts; `dynamodb:LeadingKeys` holds it to them);
 * - read its own workflow's placement decision (one key of one system table);
 * - put and get its own workflow's spilled payloads (`payloads/<workflow_id>/`) in the Caribou buckets.
 * Not other workflows' code (`workflows/`), not the solver's objects (`solves/`), no system table write.
 */
export function runtimePolicy(physical: string, account: string): PolicyDocument {
  const p = parsePhysicalName(physical);
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: 'OwnLogs',
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: [`arn:aws:logs:${p.region}:${account}:log-group:${logGroupName(physical)}`, `arn:aws:logs:${p.region}:${account}:log-group:${logGroupName(physical)}:*`],
      },
      {
        Sid: 'PublishToOwnWorkflowTopics',
        Effect: 'Allow',
        Action: ['sns:Publish'],
        Resource: [`arn:aws:sns:*:${account}:${p.prefix}*`],
      },
      {
        Sid: 'OwnJoinItems',
        Effect: 'Allow',
        Action: [...JOIN_ACTIONS],
        Resource: [`arn:aws:dynamodb:*:${account}:table/${TABLES.syncMessages}`],
        Condition: { 'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': [`${joinKeyPrefix(p.workflowId)}*`] } },
      },
      {
        Sid: 'ReadOwnPlacementDecision',
        Effect: 'Allow',
        Action: ['dynamodb:GetItem'],
        Resource: [`arn:aws:dynamodb:${SYSTEM_REGION}:${account}:table/${TABLES.workflowPlacementDecision}`],
        Condition: { 'ForAllValues:StringEquals': { 'dynamodb:LeadingKeys': [p.workflowId] } },
      },
      {
        Sid: 'OwnSpilledPayloads',
        Effect: 'Allow',
        Action: ['s3:GetObject', 's3:PutObject'],
        Resource: [`arn:aws:s3:::${process.env.CARIBOU_BUCKET_PREFIX ?? 'caribou'}-${account}-*/${PAYLOAD_PREFIX}${p.workflowId}/*`],
      },
    ],
  };
}

/** A topic policy that admits only principals of `account` (their own IAM policies decide the rest). */
export function topicPolicy(topicArn: string, account: string): PolicyDocument {
  return {
    Version: VERSION,
    Statement: [
      {
        Sid: 'CaribouAccountOnly',
        Effect: 'Allow',
        Principal: { AWS: `arn:aws:iam::${account}:root` },
        Action: [
          'sns:Publish',
          'sns:Subscribe',
          'sns:Receive',
          'sns:GetTopicAttributes',
          'sns:SetTopicAttributes',
          'sns:ListSubscriptionsByTopic',
          'sns:DeleteTopic',
        ],
        Resource: topicArn,
      },
    ],
  };
}

/** Decodes a policy document as IAM returns it (URL-encoded JSON). */
export function parsePolicyDocument(encoded: string, what: string): PolicyDocument {
  let text = encoded;
  if (/^%7B/i.test(text)) text = decodeURIComponent(text);
  return decodeOrThrow(PolicyDocument, JSON.parse(text), what);
}

/** Inline policy names on a function's role. */
export const RUNTIME_POLICY = 'caribou-runtime';
export const WORKFLOW_POLICY = 'caribou-workflow';

/** Everything IAM holds for one function: what deploy attaches, and what `caribou inspect --policy` prints. */
export interface FunctionRolePlan {
  role: string;
  trust: PolicyDocument;
  /** inline policies by name: the runtime part, and the user part when it has statements */
  policies: Record<string, PolicyDocument>;
  permissionsBoundary: string;
  tags: Record<string, string>;
}

/**
 * The role, policies, boundary and tags of function `physical` in `account`, from the
 * workflow's iam_policy as stored. One function for deploy and inspect, so what a reviewer
 * reads is what gets attached.
 */
export function functionRolePlan(physical: string, account: string, iamPolicy: unknown): FunctionRolePlan {
  const p = parsePhysicalName(physical);
  const policies: Record<string, PolicyDocument> = { [RUNTIME_POLICY]: runtimePolicy(physical, account) };
  const user = workflowPolicy(iamPolicy, physical);
  // IAM refuses a policy without statements: a workflow needing nothing beyond the runtime has no user part
  if (user && user.Statement.length > 0) policies[WORKFLOW_POLICY] = user;
  return {
    role: roleName(physical),
    trust: trustPolicy('lambda.amazonaws.com'),
    policies,
    permissionsBoundary: boundaryArn(account),
    tags: { [MANAGED_TAG]: 'true', [WORKFLOW_TAG]: p.workflowId },
  };
}
