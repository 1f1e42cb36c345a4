import '../polyfill';
import { Command, CommanderError } from 'commander';
import { DecodeError } from '../model/decode';
import { EXIT_CODES_HELP, ExitCode, NothingAppliedError, UserError } from '../model/errors';
import { invokedCommand, registerCommands } from './commands';
import { packageRoot } from '../paths';
import * as path from 'path';

const VERSION: string = require(path.join(packageRoot(), 'package.json')).version;

/**
 * Builds the `caribou` command. Without `argv` every subcommand is registered; with it, only the
 * module of the command `argv` invokes is loaded (the others are one-line stubs), which keeps
 * startup fast (src/cli/commands.ts).
 */
export function buildProgram(argv?: string[]): Command {
  const program = new Command('caribou')
    .description('Caribou for TypeScript: carbon-aware placement of serverless workflows across AWS regions')
    .option('--target <target>', 'where to act: local (embedded cloud, default) or aws', process.env.CARIBOU_TARGET ?? 'local')
    .version(VERSION)
    .addHelpText('after', `\n${EXIT_CODES_HELP}`);
  program
    .command('version')
    .description('print the version')
    .action(() => console.log(VERSION));
  registerCommands(program, argv === undefined ? undefined : (invokedCommand(argv) ?? ''));
  for (const c of program.commands) c.addHelpText('after', `\n${EXIT_CODES_HELP}`);
  program.exitOverride();
  return program;
}

/** Runs the CLI; user errors print one clear message and exit with their code (see ExitCode), never a stack trace. */
export async function main(argv: string[]): Promise<void> {
  // errors nobody can catch (a LevelDB failure dynalite throws from a callback) still get a worded message and a true exit code
  process.on('uncaughtException', (err) => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { levelDbFailure } = require('../cloud/local/dynalite') as typeof import('../cloud/local/dynalite');
    process.exit(reportError(levelDbFailure(err) ?? err));
  });
  const program = buildProgram(argv);
  try {
    await program.parseAsync(argv);
  } catch (err) {
    process.exitCode = reportError(err);
  }
}

/** Prints an error the way a user should see it; returns the exit code. */
export function reportError(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode;
  if (err instanceof UserError || err instanceof DecodeError) {
    console.error(`${err instanceof NothingAppliedError ? 'not applied' : 'error'}: ${err.message}`);
    return err instanceof UserError ? err.exitCode : ExitCode.UserInput;
  }
  const e = err as Error;
  console.error(`internal error: ${e?.message ?? String(err)}`);
  if (process.env.CARIBOU_DEBUG) console.error(e?.stack);
  else console.error('(set CARIBOU_DEBUG=1 to see the stack trace)');
  return ExitCode.Internal;
}
