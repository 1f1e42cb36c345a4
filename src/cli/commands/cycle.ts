import type { Command } from 'commander';
import type { Cloud, ExecutionEvent } from '../../cloud/ports';
import { targetOf, withCloud } from '../../cloud/open';
import { ExitCode, UserError } from '../../model/errors';
import type { CycleInput } from '../../handlers/io';

/** What a finished CaribouCycle execution reports. */
export interface CycleOutcome {
  execution: string;
  status: 'SUCCEEDED' | 'FAILED';
  output?: unknown;
  error?: string;
  seconds: number;
}

/** Starts CaribouCycle on the cloud (the ASL interpreter locally, Step Functions on AWS) and follows it to the end. */
export async function runCycle(cloud: Cloud, input: CycleInput, onEvent: (e: ExecutionEvent) => void = () => undefined): Promise<CycleOutcome> {
  const t0 = Date.now();
  const execution = await cloud.stateMachines.start('CaribouCycle', input, `cycle-${new Date().toISOString().replace(/[:.]/g, '-')}`);
  const r = await cloud.stateMachines.follow(execution, onEvent);
  return { execution, ...r, seconds: (Date.now() - t0) / 1000 };
}

/** States printed as they enter and exit (the rest are summarised, e.g. batches as a progress bar). */
const SHOWN = new Set(['Collect', 'CollectProvider', 'CollectCarbon', 'CollectPerformance', 'SyncLogs', 'Decide', 'Solve', 'Prepare', 'Select', 'Stage', 'Migrate']);
const DEPTH: Record<string, number> = { CollectProvider: 1, CollectCarbon: 1, CollectPerformance: 1, Prepare: 1, Select: 1, Stage: 1 };

/**
 * Renders execution events like the console's graph view, in text: each state as it
 * enters (▶) and exits (✔ with its time), failures and retries, and a progress bar per
 * round of Monte Carlo batches.
 */
export function progressRenderer(write: (s: string) => void = (s) => process.stderr.write(s), tty = !!process.stderr.isTTY): (e: ExecutionEvent) => void {
  const entered = new Map<string, number>();
  const rounds = new Map<string, { total: number; done: number; round: number; wf: string }>();
  let barOpen = false;
  const endBar = () => {
    if (barOpen) write('\n');
    barOpen = false;
  };
  const bar = (r: { total: number; done: number; round: number; wf: string }) => {
    const width = 24;
    const filled = r.total ? Math.round((r.done / r.total) * width) : width;
    return `    ${r.wf} round ${r.round} [${'█'.repeat(filled)}${'░'.repeat(width - filled)}] ${r.done}/${r.total} batches`;
  };
  return (e) => {
    const key = `${e.state}#${e.index ?? ''}`;
    const pad = '  '.repeat(DEPTH[e.state ?? ''] ?? 0);
    if (e.type === 'StateEntered' && e.state && SHOWN.has(e.state)) {
      endBar();
      entered.set(key, e.time);
      write(`${pad}▶ ${e.state}\n`);
    } else if (e.type === 'StateExited' && e.state && SHOWN.has(e.state)) {
      endBar();
      const t0 = entered.get(key);
      write(`${pad}✔ ${e.state}${t0 !== undefined ? ` (${((e.time - t0) / 1000).toFixed(1)} s)` : ''}\n`);
    } else if (e.type === 'TaskFailed') {
      endBar();
      write(`${pad}  ✖ ${e.state}: ${e.detail ?? 'failed'}\n`);
    } else if ((e.type === 'MapIterationStarted' || e.type === 'MapIterationSucceeded') && e.state === 'EvaluateBatches' && e.detail) {
      let d: { total?: number; workflow_id?: string; round?: number } = {};
      try {
        d = JSON.parse(e.detail);
      } catch {
        return;
      }
      const id = `${d.workflow_id}#${d.round}`;
      let r = rounds.get(id);
      if (!r) {
        r = { total: d.total ?? 0, done: 0, round: d.round ?? 0, wf: d.workflow_id ?? '' };
        rounds.set(id, r);
      }
      if (e.type === 'MapIterationSucceeded') {
        r.done++;
        if (tty) {
          write(`\r${bar(r)}`);
          barOpen = true;
          if (r.done === r.total) endBar();
        } else if (r.done === r.total) write(`${bar(r)}\n`);
      }
    } else if (e.type === 'ExecutionFailed') {
      endBar();
      write(`✖ CaribouCycle failed: ${e.detail ?? ''}\n`);
    } else if (e.type === 'ExecutionSucceeded') {
      endBar();
    }
  };
}

/** A short account of a finished cycle, in words. */
export function describeCycle(o: CycleOutcome): string {
  const out = (o.output ?? {}) as {
    decide?: { decisions?: Array<{ workflow_id: string; action: string; reason: string }>; Error?: string; Cause?: string };
    solve?: Array<{ workflow_id: string; status: string; error?: unknown; carbon?: { home: number; chosen: number } }>;
    migrate?: { workflows?: Array<{ workflow_id: string; status: string; deployed: string[]; removed: string[]; retiring: string[]; migrated_instances: number; error?: string }> };
  };
  const lines = [`CaribouCycle ${o.status} in ${o.seconds.toFixed(1)} s (${o.execution})`];
  if (o.error) lines.push(`  error: ${o.error}`);
  if (out.decide?.Error) lines.push(`  decide failed: ${out.decide.Error} ${out.decide.Cause ?? ''}`);
  for (const d of out.decide?.decisions ?? []) lines.push(`  decide   ${d.workflow_id}: ${d.action} — ${d.reason}${/^not due until/.test(d.reason) ? ' (--force looks now)' : ''}`);
  for (const s of out.solve ?? []) {
    const c = s.carbon ? ` (hour 0 carbon per run: home ${s.carbon.home.toExponential(2)} g → ${s.carbon.chosen.toExponential(2)} g)` : '';
    lines.push(`  solve    ${s.workflow_id}: ${s.status}${c}${s.error ? ` — ${JSON.stringify(s.error).slice(0, 300)}` : ''}`);
  }
  for (const m of out.migrate?.workflows ?? [])
    lines.push(
      `  migrate  ${m.workflow_id}: ${m.status}; ${m.migrated_instances} instance(s) away from home` +
        (m.deployed.length ? `; deployed ${m.deployed.join(', ')}` : '') +
        (m.removed.length ? `; removed ${m.removed.join(', ')}` : '') +
        (m.retiring.length ? `; retiring after the grace period: ${m.retiring.join(', ')}` : '') +
        (m.error ? `; error: ${m.error}` : ''),
    );
  return lines.join('\n');
}

/** Registers `caribou cycle`: runs CaribouCycle and shows it state by state. */
export function register(program: Command): void {
  program
    .command('cycle')
    .description('run the CaribouCycle state machine (collect → sync logs → decide → solve → migrate): locally with the ASL interpreter, on AWS as a Step Functions execution')
    .option('--force', 'look at every workflow now, whatever its next check time')
    .option('-w, --workflow <id...>', 'only these workflows')
    .option('--solves-per-day <n>', 'solve this many hour slots a day (1,2,3,4,6,8,12,24) whatever the budget affords; the 10-invocation floor still holds')
    .option('--runs <n>', 'Monte Carlo runs per evaluation (default: the solver\'s)')
    .option('--seed <n>', 'solver seed')
    .option('--json', 'print one line: {"execution","status","seconds","output"|"error"}')
    .action(async (opts: { force?: boolean; workflow?: string[]; solvesPerDay?: string; runs?: string; seed?: string; json?: boolean }, cmd: Command) => {
      const input: CycleInput = {};
      if (opts.force) input.force = true;
      if (opts.workflow) input.workflows = opts.workflow;
      if (opts.solvesPerDay !== undefined) input.solves_per_day = positiveInt(opts.solvesPerDay, '--solves-per-day');
      const solve: NonNullable<CycleInput['solve']> = {};
      if (opts.runs !== undefined) solve.runs = positiveInt(opts.runs, '--runs');
      if (opts.seed !== undefined) solve.seed = positiveInt(opts.seed, '--seed');
      if (Object.keys(solve).length) input.solve = solve;
      const target = targetOf(cmd.optsWithGlobals().target);
      const outcome = await withCloud({ target }, (cloud) => runCycle(cloud, input, opts.json ? undefined : progressRenderer()));
      if (opts.json) console.log(JSON.stringify(outcome));
      else console.log(describeCycle(outcome));
      if (outcome.status !== 'SUCCEEDED') process.exitCode = 1;
      else {
        // a plan left staged because a live migrator holds its lease is not applied: never exit 0 for it
        const held = ((outcome.output as { migrate?: { workflows?: Array<{ workflow_id: string; status: string; reason?: string }> } } | undefined)?.migrate?.workflows ?? []).filter((m) => m.status === 'locked');
        if (held.length) {
          console.error(`not applied: ${held.map((m) => `${m.workflow_id}: ${m.reason ?? 'lease held'}`).join('; ')}`);
          process.exitCode = ExitCode.NothingApplied;
        }
      }
    });
}

function positiveInt(s: string, flag: string): number {
  const n = Number(s);
  if (!Number.isInteger(n) || n <= 0) throw new UserError(`${flag} must be a positive integer; got "${s}"`);
  return n;
}
