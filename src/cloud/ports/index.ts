export * from './key-value';
export * from './messaging';
export * from './functions';
export * from './logs';
export * from './packages';
export * from './schedules';
export * from './state-machines';
export * from './secrets';

import type { KeyValueStore } from './key-value';
import type { Messaging } from './messaging';
import type { Functions } from './functions';
import type { Logs } from './logs';
import type { PackageStore } from './packages';
import type { Schedules } from './schedules';
import type { StateMachines } from './state-machines';
import type { Secrets } from './secrets';

/** Every port the engine uses, as one bundle handed to handlers and commands. */
export interface Cloud {
  target: 'local' | 'aws';
  tables: KeyValueStore;
  messaging: Messaging;
  functions: Functions;
  logs: Logs;
  packages: PackageStore;
  schedules: Schedules;
  stateMachines: StateMachines;
  /** Secrets read at run time (absent: the environment is the only source) */
  secrets?: Secrets;
  /** The current time: wall clock on AWS, the virtual clock locally. */
  now(): Date;
  /** Releases servers and connections. */
  close(): Promise<void>;
}
