import type { Command } from 'commander';
import { register as inspect } from './commands/inspect';
import { register as newWorkflow } from './commands/new_workflow';
import { register as deploy } from './commands/deploy';
import { register as run } from './commands/run';
import { register as list } from './commands/list';
import { register as remove } from './commands/remove';
import { register as dataCollect } from './commands/data_collect';

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
];
