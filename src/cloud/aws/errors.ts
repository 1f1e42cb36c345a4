import { UserError } from '../../model/errors';

/**
 * Turning AWS SDK errors into messages a user can act on. Errors are recognised by their
 * `name` (the AWS error code), not by class, so this file imports no SDK package.
 */

/** The AWS error code of an SDK error ('' when it is not one). */
export function awsCode(err: unknown): string {
  const e = err as { name?: string; Code?: string; code?: string } | undefined;
  return e?.name ?? e?.Code ?? e?.code ?? '';
}

/** True when `err` carries one of the given AWS error codes. */
export function isCode(err: unknown, ...codes: string[]): boolean {
  const c = awsCode(err);
  return codes.includes(c);
}

/** Codes meaning "it is not there", across services. */
const NOT_FOUND = [
  'ResourceNotFoundException',
  'NoSuchEntity',
  'NoSuchEntityException',
  'NotFound',
  'NotFoundException',
  'NoSuchKey',
  'NoSuchBucket',
  'StateMachineDoesNotExist',
  'ExecutionDoesNotExist',
];

/**
 * True when the request certainly did not reach a working endpoint (connection refused, no such
 * host, region not enabled), so nothing was done. A timeout or a reset is not proof: the request
 * may have been applied, and a message republished elsewhere would be delivered twice.
 */
export function neverReached(err: unknown): boolean {
  const code = awsCode(err);
  const sys = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return ['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(sys ?? '') || ['UnrecognizedClientException', 'InvalidClientTokenId'].includes(code);
}

/** True when the error says the resource does not exist. */
export function isNotFound(err: unknown): boolean {
  return NOT_FOUND.includes(awsCode(err)) || (err as { $metadata?: { httpStatusCode?: number } })?.$metadata?.httpStatusCode === 404;
}

/** True when the request never reached a working endpoint (network down, region disabled). */
export function isUnreachable(err: unknown): boolean {
  const code = awsCode(err);
  const sys = (err as { code?: string; cause?: { code?: string } })?.code ?? (err as { cause?: { code?: string } })?.cause?.code;
  return (
    ['ECONNREFUSED', 'ENOTFOUND', 'ETIMEDOUT', 'ECONNRESET', 'EAI_AGAIN', 'EHOSTUNREACH'].includes(sys ?? '') ||
    ['TimeoutError', 'RequestTimeout', 'UnrecognizedClientException', 'InvalidClientTokenId'].includes(code)
  );
}

/**
 * Wraps an AWS error so its message names the action, the resource and what to do.
 * Permission and credential problems become UserErrors (the user must act, no stack trace).
 */
export function awsError(err: unknown, action: string, resource: string): Error {
  const code = awsCode(err) || 'Error';
  const message = (err as Error)?.message ?? String(err);
  const what = `could not ${action} ${resource}: ${code}: ${message}`;
  if (['AccessDenied', 'AccessDeniedException', 'UnauthorizedOperation', 'AuthorizationError', 'AuthorizationErrorException'].includes(code)) {
    return new UserError(`${what}\nThe AWS credentials in use lack a permission for this; docs/aws.md lists what the operator needs.`);
  }
  if (code === 'CredentialsProviderError' || /Could not load credentials/i.test(message)) {
    return new UserError(`${what}\nNo AWS credentials were found: set AWS_PROFILE (or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY), or run \`aws sso login\`.`);
  }
  if (['ExpiredToken', 'ExpiredTokenException', 'InvalidClientTokenId', 'UnrecognizedClientException'].includes(code)) {
    return new UserError(`${what}\nThe credentials are invalid or expired, or the region is not enabled for this account.`);
  }
  if (isUnreachable(err)) {
    return new UserError(`${what}\nThe endpoint could not be reached${process.env.CARIBOU_AWS_ENDPOINT ? ` (CARIBOU_AWS_ENDPOINT=${process.env.CARIBOU_AWS_ENDPOINT})` : ''}; check the network and the region.`);
  }
  const wrapped = new Error(what);
  (wrapped as Error & { cause?: unknown }).cause = err;
  wrapped.name = code;
  return wrapped;
}

/** Runs `fn`, rethrowing any AWS error through `awsError`. */
export async function attempt<T>(action: string, resource: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    throw awsError(err, action, resource);
  }
}

/** Runs `fn`, returning `fallback` when the resource is not there (idempotent deletes and reads). */
export async function unlessNotFound<T>(action: string, resource: string, fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    if (isNotFound(err)) return fallback;
    throw awsError(err, action, resource);
  }
}

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
