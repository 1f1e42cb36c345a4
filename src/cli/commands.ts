import type { Command } from 'commander';

/** Each command module exports a `register(program)`; the CLI registers them in this order. */
export const COMMANDS: Array<(program: Command) => void> = [
  // command modules add themselves here, one line each
];
