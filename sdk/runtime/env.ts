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
  /** writes one log line (stdout on Lambda; the function's log stream locally) */
  log(line: string): void;
  /** join items keyed under `<workflow_id>/` (AWS: a role may touch only its own; src/cloud/join-scope.ts) */
  scopeJoinKeys?: boolean;
}
