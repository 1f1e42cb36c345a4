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

/**
 * Runs the CLI in this process as `bin/caribou.js` would: an error is reported the way `main`
 * reports it (printed, not thrown) and the exit code comes back (process.exitCode is restored).
 */
export async function runCliExit(args: string[], opts: { stdin?: string } = {}): Promise<{ out: string; err: string; code: number }> {
  const out: string[] = [];
  // what a pipe would give the command (`echo … | caribou …`)
  const stdinWas = Object.getOwnPropertyDescriptor(process, 'stdin');
  if (opts.stdin !== undefined) Object.defineProperty(process, 'stdin', { configurable: true, get: () => Readable.from([Buffer.from(opts.stdin!)]) });
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
    code = typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (e) {
    code = reportError(e);
  } finally {
    console.log = log;
    console.error = error;
    process.exitCode = saved;
    if (opts.stdin !== undefined && stdinWas) Object.defineProperty(process, 'stdin', stdinWas);
  }
  return { out: out.join('\n'), err: err.join('\n'), code };
}
