/**
 * What a `caribou` exit code means (shared by every command; `--help` and the README list them).
 * A script can trust it: 0 only when the command did its whole job.
 */
export const ExitCode = {
  /** the command did what it was asked */
  Done: 0,
  /** the user's input or local state is wrong (a worded error says what and how to fix it) */
  UserInput: 1,
  /** a defect in caribou (the message says so; CARIBOU_DEBUG=1 shows the stack) */
  Internal: 2,
  /** nothing was applied, e.g. another live migrator holds the lease; run it again later */
  NothingApplied: 3,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** The exit codes in words, for `--help` and the docs. */
export const EXIT_CODES_HELP = [
  'Exit codes:',
  '  0  done',
  "  1  the user's input or local state is wrong (the message says what and how to fix it)",
  '  2  internal error (a defect; CARIBOU_DEBUG=1 shows the stack trace)',
  '  3  nothing applied (e.g. a live migrator holds the lease); try again later',
].join('\n');

/**
 * Names of the errors a control-plane Task throws that no retry can fix (bad input or state, a
 * table that is not there): CaribouCycle's Retry lists exactly these with MaxAttempts 0
 * (tests/cycle/asl.test.ts checks every Task), so they fail at once into the Task's Catch.
 */
export const FINAL_TASK_ERRORS = ['DecodeError', 'UserError', 'MissingTableError'] as const;

/** An error caused by the user's input or environment: printed as its message, never as a stack trace. */
export class UserError extends Error {
  constructor(message: string, readonly exitCode: number = ExitCode.UserInput) {
    super(message);
    this.name = 'UserError';
  }
}

/** The command ran correctly but applied nothing (exit 3): never reported as success. */
export class NothingAppliedError extends UserError {
  constructor(message: string) {
    super(message, ExitCode.NothingApplied);
    // name stays 'UserError': the runtime's retry (sdk/runtime/retry.ts) treats errors of that name as final
  }
}

/** A local state file is unreadable: names the file, what is wrong, and the command that repairs it (exit 1). */
export class CorruptStateError extends UserError {
  constructor(
    readonly file: string,
    readonly problem: string,
    readonly repair: string,
  ) {
    super(`local state file ${file} is corrupt: ${problem}. ${repair}`);
    // name stays 'UserError', so the runtime's retry passes it through unchanged (no retry can fix a corrupt file)
  }
}
