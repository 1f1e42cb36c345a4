import { spawnSync } from 'child_process';
import * as path from 'path';
import { Readable } from 'stream';
import { buildProgram, reportError } from '../../src/cli/main';

/** Runs the `caribou` CLI in this process with its console output captured (faster than spawning it). */
export async function runCli(args: string[]): Promise<{ out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  try {
    await buildProgram().parseAsync(['node', 'caribou', ...args]);
  } finally {
    console.log = log;
    console.error = error;
  }
  return { out: out.join('\n'), err: err.join('\n') };
}

/** What a CLI invocation ended with: its exit code and what it printed. */
export interface CliOutcome {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the CLI in this process as `main` would and returns its exit code too: a thrown error
 * is reported (and mapped to its code) exactly as bin/caribou.js reports it.
 */
export async function runCliCode(args: string[], opts: { stdin?: string } = {}): Promise<CliOutcome> {
  // what a pipe would give the command (`echo … | caribou …`)
  const stdinWas = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (opts.stdin !== undefined) {
    const piped = Readable.from([Buffer.from(opts.stdin)]);
    Object.defineProperty(process, 'stdin', { configurable: true, get: () => piped });
  }
  const out: string[] = [];
  const err: string[] = [];
  const log = console.log;
  const error = console.error;
  const saved = process.exitCode;
  process.exitCode = undefined;
  console.log = (...a: unknown[]) => out.push(a.join(' '));
  console.error = (...a: unknown[]) => err.push(a.join(' '));
  let code: number;
  try {
    await buildProgram().parseAsync(['node', 'caribou', ...args]);
    code = Number(process.exitCode ?? 0);
  } catch (e) {
    code = reportError(e);
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = saved;
    if (opts.stdin !== undefined && stdinWas) Object.defineProperty(process, 'stdin', stdinWas);
  }
  return { code, stdout: out.join('\n'), stderr: err.join('\n') };
}

const BIN = path.join(__dirname, '..', '..', 'bin', 'caribou.js');

/** Runs the real `caribou` in its own process (for locks, kills and anything that needs a second process). */
export function spawnCli(args: string[], opts: { cwd?: string; env?: Record<string, string> } = {}): CliOutcome {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? path.join(__dirname, '..', '..'),
    env: { ...process.env, CARIBOU_TARGET: 'local', ...opts.env },
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}
