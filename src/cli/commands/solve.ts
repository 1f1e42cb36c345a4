import type { Command } from 'commander';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderWhatIf } from '../../report/whatif';
import { targetOf, withCloud } from '../../cloud/open';
import { UserError } from '../../model/errors';
import { exitCodeOfSolve, solveAndStage } from '../../control/solve-loop';
import type { SolveTuning } from '../../handlers/io';
import { decodeOrThrow } from '../../model/decode';
import type { DeploymentDecision } from '../../model/deployment-manager';
import { StagedPlan, type DeploymentMetrics } from '../../model/staging';
import { TABLES } from '../../model/tables';
import { loadSolveInput } from '../../solve';
import type { Algorithm } from '../../solve';

interface SolveCliOptions {
  strategy?: string;
  hours?: string;
  json?: boolean;
  stage?: boolean;
  runs?: string;
  seed?: string;
  tail?: string;
  report?: string;
}

function intOption(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UserError(`--${name}: expected a whole number; got "${v}"`);
  return n;
}

function pct(chosen: number, home: number): string {
  if (home === 0) return chosen === 0 ? '0%' : 'n/a';
  const p = ((chosen - home) / home) * 100;
  return `${p > 0 ? '+' : ''}${p.toFixed(1)}%`;
}

function num(x: number): string {
  return Math.abs(x) >= 0.01 && Math.abs(x) < 1e5 ? x.toFixed(3) : x.toExponential(3);
}

/** Renders a plan as text: per hour, placements beside home, then metrics with the change. */
export function renderPlan(plan: StagedPlan, home: Record<string, string>, tailPercentile = 95): string {
  const out: string[] = [];
  out.push(`${plan.workflow_id}: ${plan.algorithm} search, ${plan.evaluations} evaluations`);
  const width = Math.max(8, ...Object.keys(home).map((k) => k.length));
  for (const key of plan.time_keys) {
    out.push('', `hour ${key} (UTC)`);
    out.push(`  ${'instance'.padEnd(width)}  ${'home'.padEnd(16)}chosen`);
    for (const [inst, region] of Object.entries(plan.placements[key])) out.push(`  ${inst.padEnd(width)}  ${(home[inst] ?? '?').padEnd(16)}${region}${region === home[inst] ? '' : '  *'}`);
    const m = plan.metrics[key];
    const tail = `p${tailPercentile}`;
    out.push(`  ${'metric'.padEnd(16)}${'home mean'.padStart(12)}${'chosen mean'.padStart(13)}${'change'.padStart(9)}${`home ${tail}`.padStart(12)}${`chosen ${tail}`.padStart(13)}${'change'.padStart(9)}`);
    const row = (label: string, k: keyof DeploymentMetrics) =>
      out.push(
        `  ${label.padEnd(16)}${num(m.home[k].mean).padStart(12)}${num(m.chosen[k].mean).padStart(13)}${pct(m.chosen[k].mean, m.home[k].mean).padStart(9)}` +
          `${num(m.home[k].tail).padStart(12)}${num(m.chosen[k].tail).padStart(13)}${pct(m.chosen[k].tail, m.home[k].tail).padStart(9)}`,
      );
    row('carbon (gCO2e)', 'carbon');
    row('cost (USD)', 'cost');
    row('runtime (s)', 'runtime');
  }
  if (plan.fallbacks.length) {
    out.push('', `fallbacks used (${plan.fallbacks.length}):`);
    for (const f of plan.fallbacks) out.push(`  - ${f}`);
  }
  return out.join('\n');
}

/** Registers `caribou solve <workflow_id>`: solves and prints the placement per hour beside home. */
export function register(program: Command): void {
  program
    .command('solve <workflow_id>')
    .description('solve the placement of a deployed workflow from the collected data (prints it; --stage writes the staging table)')
    .option('-s, --strategy <algorithm>', 'coarse | fine | stochastic (default: the manifest deployment_algorithm)')
    .option('--hours <keys>', 'comma-separated hour keys, e.g. 0,6,12,18 (default: one plan from the daily average)')
    .option('--runs <n>', 'simulated runs per evaluation (default 2000)')
    .option('--tail <percentile>', 'tail percentile reported and constrained (default 95)')
    .option('--seed <n>', 'random seed (default 1)')
    .option('--json', 'print the staging record as JSON')
    .option('--stage', `write the plan to ${TABLES.solverStagingArea} for the migrator`)
    .option('--report <file>', 'write a what-if HTML report of the plan before it is applied (placement by hour, predictions against home, data-quality flags)')
    .action(async (workflowId: string, opts: SolveCliOptions, cmd: Command) => {
      const strategy = opts.strategy;
      if (strategy !== undefined && !['coarse', 'fine', 'stochastic'].includes(strategy)) throw new UserError(`-s/--strategy: expected coarse, fine or stochastic; got "${strategy}"`);
      const hours = opts.hours === undefined ? null : opts.hours.split(',').map((h) => h.trim());
      const tail = opts.tail === undefined ? undefined : Number(opts.tail);
      await withCloud({ target: targetOf(cmd.optsWithGlobals().target) }, async (cloud) => {
        const input = await loadSolveInput(cloud.tables, workflowId);
        const now = cloud.now();
        // the operator's solve, not the manager's: it runs the one solve loop (CaribouCycle's
        // Solve) and leaves the manager's bookkeeping alone
        const decision: DeploymentDecision = { workflow_id: workflowId, action: 'solve', reason: 'caribou solve', decided_at: now.toISOString(), invocations: 0, tokens: 0, budget: 0 };
        if (strategy !== undefined) decision.algorithm = strategy as Algorithm;
        const tuning: SolveTuning = { hours };
        const runs = intOption('runs', opts.runs);
        const seed = intOption('seed', opts.seed);
        if (runs !== undefined) tuning.runs = runs;
        if (seed !== undefined) tuning.seed = seed;
        if (tail !== undefined) tuning.tail = tail;
        const outcome = await solveAndStage(cloud, decision, { tuning, finish: opts.stage ? 'stage' : 'preview' });
        if (outcome.status === 'failed') throw exitCodeOfSolve(outcome) === 1 ? new UserError(outcome.error) : new Error(outcome.error);
        const plan = decodeOrThrow(StagedPlan, outcome.plan, `the plan of ${workflowId}`);
        if (opts.report) {
          const file = path.resolve(opts.report);
          try {
            fs.mkdirSync(path.dirname(file), { recursive: true });
            fs.writeFileSync(file, renderWhatIf(plan, input));
          } catch (err) {
            throw new UserError(`--report: cannot write ${file}: ${(err as Error).message}`);
          }
          if (!opts.json) console.error(`what-if report: ${file}`);
        }
        if (opts.json) console.log(JSON.stringify(StagedPlan.encode(plan)));
        else {
          const home = Object.fromEntries(input.config.instances.map((i) => [i.instance_name, input.config.home_region.region]));
          console.log(renderPlan(plan, home, tail ?? 95));
          if (opts.stage) console.log(`\nstaged in ${TABLES.solverStagingArea}[${workflowId}]`);
        }
      });
    });
}
