import type { KeyValueStore, Messaging, PackageStore } from '../../src/cloud/ports';

/**
 * What the SDK runtime needs from wherever a function runs: on Lambda the AWS adapters
 * and the wall clock; on the local cloud the embedded adapters and the invocation's
 * virtual clock (start of the invocation + real elapsed time).
 */
export interface RuntimeEnv {
  /** the region this function runs in */
  region: string;
  tables: KeyValueStore;
  messaging: Messaging;
  packages: PackageStore;
  /** current time for this invocation */
  now(): Date;
  /**
   * the platform's id of this delivery, the same on its retries (Lambda's request id): the
   * owner of the execution lease, so a retry takes over its own crashed attempt at once.
   * Absent: each call of `handle` is a delivery of its own.
   */
  deliveryId?: string;
  /** writes one log line (stdout on Lambda; the function's log stream locally) */
  log(line: string): void;
  /** join items keyed under `<workflow_id>/` (AWS: a role may touch only its own; src/cloud/join-scope.ts) */
  scopeJoinKeys?: boolean;
}
