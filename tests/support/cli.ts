import { buildProgram } from '../../src/cli/main';

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
