import type { Command } from 'commander';
import { register as inspect } from './commands/inspect';
import { register as newWorkflow } from './commands/new_workflow';

/** Each command module exports a `register(program)`; the CLI registers them in this order. */
export const COMMANDS: Array<(program: Command) => void> = [
  // command modules add themselves here, one line each
  newWorkflow,
  inspect,
];
