import type { Command } from 'commander';
import { promises as fs } from 'fs';
import { targetOf, withCloud } from '../../cloud/open';
import { UserError } from '../../model/errors';
import { parseRunArgument, runWorkflow, type RunResult } from '../../deploy/run';

/** Registers `caribou run <workflow_id>`: starts one run with a JSON argument. */
export function register(program: Command): void {
  program
    .command('run')
    .description('run a deployed workflow once (on the local cloud the run completes on the virtual clock before the command returns)')
    .argument('<workflow_id>', 'the id printed by deploy, e.g. small_sync_example-0.0.1')
    .option('-a, --argument <json>', 'the entry function\'s payload, as JSON (default null); @file reads it from a file, - from stdin (for payloads over the ~128 KiB a command-line argument can hold)')
    .option('--at <iso-time>', 'start the run at this UTC time of the virtual clock (local cloud), e.g. 2026-11-22T14:00:00Z')
    .option('--wait', 'wait for the run to finish and print its instances')
    .option('--json', 'print {"run_id","status","instances":[{"instance","region","start","end","outcome","attempts","error"?,"result"?}],"errors"?,"faults_injected"?}; status succeeded, failed (exit 1) or incomplete (exit 2)')
    .action(async (workflowId: string, opts: { argument?: string; at?: string; wait?: boolean; json?: boolean }, cmd: Command) => {
      const payload = parseRunArgument(await readRunArgument(opts.argument));
      const at = opts.at === undefined ? undefined : parseAt(opts.at);
      const target = targetOf(cmd.optsWithGlobals().target);
      const r = await withCloud({ target }, (cloud) => runWorkflow(cloud, workflowId, payload, { at, wait: opts.wait }));
      if (opts.json) console.log(JSON.stringify(jsonOf(r)));
      else console.log(describe(r, !!opts.wait));
      // failed: a function of the workflow failed (the user's code); incomplete: the cloud could not finish the run
      if (r.status === 'failed') process.exitCode = 1;
      if (r.status === 'incomplete') process.exitCode = 2;
    });
}

/** The text of `-a`: as given, or read from `@file` or from stdin (`-`). No JSON text starts with @ or is a lone -. */
export async function readRunArgument(arg: string | undefined, stdin: NodeJS.ReadableStream = process.stdin): Promise<string | undefined> {
  if (arg === '-') {
    const chunks: Buffer[] = [];
    for await (const c of stdin) chunks.push(typeof c === 'string' ? Buffer.from(c) : (c as Buffer));
    const text = Buffer.concat(chunks).toString('utf8');
    if (!text.trim()) throw new UserError('-a -: stdin was empty; pipe the JSON payload in, e.g. caribou run <workflow_id> -a - < payload.json');
    return text;
  }
  if (arg?.startsWith('@')) {
    const file = arg.slice(1);
    try {
      return await fs.readFile(file, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      throw new UserError(`-a ${arg}: cannot read ${file}${code === 'ENOENT' ? ': no such file' : `: ${(err as Error).message}`}`);
    }
  }
  return arg;
}

function parseAt(text: string): Date {
  // a time without a zone would silently be local time: require one
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/.test(text) || Number.isNaN(Date.parse(text)))
    throw new UserError(`--at must be an ISO time with a zone, e.g. 2026-11-22T14:00:00Z; got "${text}"`);
  return new Date(text);
}

/** What `run --json` prints: the run, each instance's outcome, and why it failed or is incomplete. */
function jsonOf(r: RunResult): Record<string, unknown> {
  return {
    run_id: r.run_id,
    status: r.status,
    instances: r.instances.map(({ instance, region, start, end, outcome, attempts, error, result }) => ({
      instance,
      region,
      start,
      end,
      ...(outcome !== undefined ? { outcome } : {}),
      ...(attempts !== undefined ? { attempts } : {}),
      ...(error !== undefined ? { error } : {}),
      ...(result !== undefined ? { result } : {}),
    })),
    ...(r.errors?.length ? { errors: r.errors } : {}),
    ...(r.time_key ? { time_key: r.time_key } : {}),
    ...(r.faults_injected !== undefined ? { faults_injected: r.faults_injected } : {}),
  };
}

function describe(r: RunResult, detail: boolean): string {
  const lines = [`run ${r.run_id}: ${r.status}${r.time_key ? ` (route: ${r.time_key === 'home' ? 'home deployment' : `plan of hour ${r.time_key}`})` : ''}`];
  if (detail)
    for (const i of r.instances) lines.push(`  ${i.instance}  ${i.region}  ${i.start} → ${i.end ?? '(did not finish)'}${i.outcome && i.outcome !== 'executed' ? `  ${i.outcome}` : ''}${(i.attempts ?? 1) > 1 ? `  (${i.attempts} attempts)` : ''}`);
  for (const e of r.errors ?? []) lines.push(`  error: ${e}`);
  if (r.faults_injected !== undefined) lines.push(`  faults injected: ${r.faults_injected}`);
  return lines.join('\n');
}
