import type { Command } from 'commander';
import { register as inspect } from './commands/inspect';
import { register as newWorkflow } from './commands/new_workflow';
import { register as deploy } from './commands/deploy';
import { register as run } from './commands/run';
import { register as list } from './commands/list';
import { register as remove } from './commands/remove';
import { register as dataCollect } from './commands/data_collect';
import { register as setupTables } from './commands/setup_tables';
import { register as teardownFramework } from './commands/teardown_framework';
import { register as timers } from './commands/timers';
import { register as solve } from './commands/solve';
import { register as logSync } from './commands/log_sync';
import { register as manageDeployments } from './commands/manage_deployments';
import { register as runDeploymentMigrator } from './commands/run_deployment_migrator';
import { register as cycle } from './commands/cycle';
import { register as quickstart } from './commands/quickstart';

/** Each command module exports a `register(program)`; the CLI registers them in this order. */
export const COMMANDS: Array<(program: Command) => void> = [
  // command modules add themselves here, one line each
  newWorkflow,
  inspect,
  deploy,
  run,
  list,
  remove,
  dataCollect,
  setupTables,
  teardownFramework,
  timers,
  solve,
  logSync,
  manageDeployments,
  runDeploymentMigrator,
  cycle,
  quickstart,
];
