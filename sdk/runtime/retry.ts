import type { KeyValueStore, Messaging, PackageStore } from '../../src/cloud/ports';
import type { RuntimeEnv } from './env';
import { UserError } from '../../src/model/errors';

/**
 * Retries inside one invocation, and the line between errors worth retrying and errors that
 * are final.
 *
 * Every table, messaging and storage call the runtime makes is idempotent under its protocol
 * (set-once fields, leases compared and swapped, deduplicating receivers), so a call that
 * failed — before taking effect, or after it with the response lost — is simply made again,
 * up to ATTEMPTS times. If it still fails, the error is wrapped in a TransientError and the
 * invocation throws it: Lambda's asynchronous retries (and the local cloud's) deliver the
 * message again, and the runtime resumes from its checkpoint. Errors the platform reports as
 * final for the request (a topic that does not exist, a message too large, a region that is
 * unreachable) are passed through unchanged, so the runtime records them as the run's failure
 * instead of retrying in vain.
 */
export const ATTEMPTS = 3;

/** A port call failed ATTEMPTS times; the invocation should be retried later. */
export class TransientError extends Error {
  constructor(what: string, override readonly cause: unknown) {
    super(`${what} failed ${ATTEMPTS} times: ${(cause as Error)?.message ?? String(cause)}`);
    this.name = 'TransientError';
  }
}

/** Names of errors that retrying the same request cannot fix. */
const FINAL = new Set([
  'RegionUnreachableError',
  'NotFoundException',
  'InvalidParameterException',
  'InvalidParameterValueException',
  'ResourceNotFoundException',
  'ValidationException',
  'MissingTableError',
  'UserError',
]);

/**
 * True for errors a later delivery may get past: a TransientError, or the local cloud's
 * simulated crash of the invocation. Checked by name, as the runtime may be a bundled copy.
 */
export function isTransient(err: unknown): boolean {
  const name = (err as Error)?.name;
  return name === 'TransientError' || name === 'InvocationKilled';
}

function isFinal(err: unknown): boolean {
  const e = err as Error;
  if (!e || typeof e !== 'object') return false;
  // the simulated crash ends the invocation: no retry inside it
  if (e.name === 'InvocationKilled') return true;
  // the local cloud's worded errors (a corrupt state file, a missing table) say what to do; retrying cannot
  if (e instanceof UserError) return true;
  return FINAL.has(e.name) || /^SNS (NotFound|InvalidParameter)/.test(e.message ?? '');
}

/** Runs `fn` up to ATTEMPTS times; final errors pass through, others become TransientError. */
export async function withRetry<T>(what: string, fn: () => Promise<T>): Promise<T> {
  let last: unknown;
  for (let i = 0; i < ATTEMPTS; i++) {
    try {
      return await fn();
    } catch (err) {
      if (isFinal(err)) throw err;
      last = err;
    }
  }
  throw new TransientError(what, last);
}

/** The same environment with every port call retried (see withRetry). */
export function resilient(env: RuntimeEnv): RuntimeEnv {
  const t = env.tables;
  const m = env.messaging;
  const p = env.packages;
  const tables: KeyValueStore = {
    ensureTable: (r, tb) => withRetry(`creating table ${tb} in ${r}`, () => t.ensureTable(r, tb)),
    dropTable: (r, tb) => withRetry(`dropping table ${tb} in ${r}`, () => t.dropTable(r, tb)),
    get: (r, tb, k) => withRetry(`reading ${k} from ${tb} in ${r}`, () => t.get(r, tb, k)),
    put: (r, tb, k, v, o) => withRetry(`writing ${k} to ${tb} in ${r}`, () => t.put(r, tb, k, v, o)),
    delete: (r, tb, k) => withRetry(`deleting ${k} from ${tb} in ${r}`, () => t.delete(r, tb, k)),
    keys: (r, tb) => withRetry(`listing ${tb} in ${r}`, () => t.keys(r, tb)),
    setFieldOnce: (r, tb, k, f, v) => withRetry(`writing ${f} of ${k} in ${r}`, () => t.setFieldOnce(r, tb, k, f, v)),
    replaceField: (r, tb, k, f, e, v) => withRetry(`writing ${f} of ${k} in ${r}`, () => t.replaceField(r, tb, k, f, e, v)),
  };
  const messaging: Messaging = {
    createTopic: (r, n) => withRetry(`creating topic ${n}`, () => m.createTopic(r, n)),
    subscribe: (r, tp, f) => withRetry(`subscribing ${f}`, () => m.subscribe(r, tp, f)),
    // a publish whose response was lost and is made again sends the message twice: the
    // receiver's execution record makes the second delivery a no-op
    publish: (r, tp, msg) => withRetry(`publishing to ${tp}`, () => m.publish(r, tp, msg)),
    deleteTopic: (r, tp) => withRetry(`deleting topic ${tp}`, () => m.deleteTopic(r, tp)),
    listTopics: (r) => withRetry(`listing topics in ${r}`, () => m.listTopics(r)),
  };
  const packages: PackageStore = {
    put: (r, k, b) => withRetry(`storing ${k} in ${r}`, () => p.put(r, k, b)),
    get: (r, k) => withRetry(`reading ${k} in ${r}`, () => p.get(r, k)),
    delete: (r, k) => withRetry(`deleting ${k} in ${r}`, () => p.delete(r, k)),
    list: (r, pre) => withRetry(`listing ${pre} in ${r}`, () => p.list(r, pre)),
  };
  return { ...env, tables, messaging, packages };
}
