import { createHash } from 'node:crypto';
import { UserError } from '../../model/errors';

/**
 * Names and ARNs of the AWS resources Caribou creates. Every id is checked here before it
 * becomes part of a resource name, so nothing a user typed can reach an ARN unchecked.
 */

const REGION = /^[a-z]{2}(-gov)?-[a-z]+-\d$/;
/** A physical function name: `<workflow>-<version with _>-<function>_aws-<region>`. */
const PHYSICAL = /^([A-Za-z0-9_]{1,25})-([0-9_]{1,10})-([A-Za-z0-9_]{1,20})_aws-([a-z]{2}(?:-gov)?-[a-z]+-\d)$/;

/** Checks a region code. */
export function assertRegion(region: string): string {
  if (!REGION.test(region)) throw new UserError(`"${region}" is not an AWS region code such as us-east-1`);
  return region;
}

/** The parts of a physical function name. */
export interface PhysicalName {
  workflowName: string;
  /** with dots, e.g. 0.0.1 */
  version: string;
  functionName: string;
  region: string;
  /** `<name>-<version>` */
  workflowId: string;
  /** `<name>-<version with _>-`: the prefix every resource of this workflow version starts with */
  prefix: string;
}

/** Parses and checks a physical function name (≤ 64 characters, Lambda's limit). */
export function parsePhysicalName(name: string): PhysicalName {
  const m = PHYSICAL.exec(name);
  if (!m || name.length > 64) {
    throw new UserError(`"${name}" is not a Caribou function name <workflow>-<version>-<function>_aws-<region> of at most 64 characters`);
  }
  const [, workflowName, ver, functionName, region] = m;
  const version = ver.replace(/_/g, '.');
  return { workflowName, version, functionName, region, workflowId: `${workflowName}-${version}`, prefix: `${workflowName}-${ver}-` };
}

/** True when `name` is a Caribou physical function name. */
export function isPhysicalName(name: string): boolean {
  return PHYSICAL.test(name) && name.length <= 64;
}

/** A short stable digest, for names that must stay under a length limit. */
export function digest(s: string, chars = 8): string {
  return createHash('sha256').update(s).digest('hex').slice(0, chars);
}

/**
 * The IAM role of a function: `<physical>-role`, or, when that passes IAM's 64 characters,
 * a shortened name with a digest. The same function computes it on create, update and
 * remove (Caribou truncated only on create, so long names broke remove).
 */
export function roleName(physical: string): string {
  parsePhysicalName(physical);
  const full = `${physical}-role`;
  if (full.length <= 64) return full;
  return `${physical.slice(0, 64 - 5 - 9)}-${digest(physical)}-role`;
}

/** Checks a topic name (SNS: 1–256 of letters, digits, _ and -). */
export function assertTopicName(name: string): string {
  if (!/^[A-Za-z0-9_-]{1,256}$/.test(name)) throw new UserError(`"${name}" is not a valid topic name (1–256 letters, digits, _ or -)`);
  return name;
}

/** The ARN of a topic given its name or ARN. */
export function topicArn(region: string, account: string, topic: string): string {
  if (topic.startsWith('arn:')) {
    const parts = topic.split(':');
    if (parts.length !== 6 || parts[2] !== 'sns') throw new UserError(`"${topic}" is not an SNS topic ARN`);
    return topic;
  }
  return `arn:aws:sns:${assertRegion(region)}:${account}:${assertTopicName(topic)}`;
}

/** The region in an ARN (arn:aws:<service>:<region>:…). */
export function arnRegion(arn: string): string | undefined {
  return arn.split(':')[3] || undefined;
}

/** The ARN of a Lambda function given its name or ARN. */
export function functionArn(region: string, account: string, fn: string): string {
  if (fn.startsWith('arn:')) return fn;
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(fn)) throw new UserError(`"${fn}" is not a valid Lambda function name`);
  return `arn:aws:lambda:${assertRegion(region)}:${account}:function:${fn}`;
}

/** The log group Lambda writes a function's output to. */
export function logGroupName(fn: string): string {
  return `/aws/lambda/${fn}`;
}

/**
 * The bucket holding code bundles and spilled payloads in a region. S3 names are global,
 * so the account and region make it unique; CARIBOU_BUCKET_PREFIX may replace `caribou`.
 */
export function bucketName(account: string, region: string): string {
  const prefix = process.env.CARIBOU_BUCKET_PREFIX ?? 'caribou';
  if (!/^[a-z0-9][a-z0-9-]{0,20}$/.test(prefix)) throw new UserError(`CARIBOU_BUCKET_PREFIX "${prefix}" must be 1–21 lowercase letters, digits or -`);
  return `${prefix}-${account}-${assertRegion(region)}`;
}

/** The region a Caribou bucket serves, or undefined when `bucket` is not one of this account's. */
export function bucketRegion(account: string, bucket: string): string | undefined {
  const prefix = `${process.env.CARIBOU_BUCKET_PREFIX ?? 'caribou'}-${account}-`;
  if (!bucket.startsWith(prefix)) return undefined;
  const region = bucket.slice(prefix.length);
  return REGION.test(region) ? region : undefined;
}

/** Where the runtime spills payloads too large for SNS (`payloads/<workflow_id>/…`); they expire after two days. */
export const PAYLOAD_PREFIX = 'payloads/';

/** Checks a timer (EventBridge rule) name before it becomes `<name>-timer-rule`. */
export function assertTimerName(name: string): string {
  if (!/^[A-Za-z0-9_]{1,50}$/.test(name)) throw new UserError(`"${name}" is not a valid timer name (1–50 letters, digits or _)`);
  return name;
}
